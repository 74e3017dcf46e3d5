/// `autogit completion <shell>`: shell completion scripts.
enum CompletionCommand {
    static let spec = CommandSpec(
        "completion", abstract: "Print a shell completion script",
        discussion: """
            bash:  source <(autogit completion bash)   (add it to ~/.bashrc)
            zsh:   source <(autogit completion zsh)    (after compinit in ~/.zshrc)
            fish:  autogit completion fish > ~/.config/fish/completions/autogit.fish
            """,
        arguments: [
            ArgumentSpec("shell", help: "The shell to complete for", allowedValues: CompletionScript.Shell.allCases.map(\.rawValue))
        ],
        run: { arguments, context in
            let shell = arguments.argument("shell").flatMap(CompletionScript.Shell.init(rawValue:)) ?? .bash
            context.console.output(CompletionScript(root: context.root).render(for: shell))
            return ExitCode.success.rawValue
        })
}
