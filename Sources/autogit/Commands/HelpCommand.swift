/// `autogit help [<command>...]`: the same help as `--help`.
enum HelpCommand {
    static let spec = CommandSpec(
        "help", abstract: "Show help for a command",
        arguments: [ArgumentSpec("command", help: "The command, such as: runners list", isOptional: true, isVariadic: true)],
        examples: [.init("autogit help jobs submit", "How to submit a job")],
        run: { arguments, context in
            let words = arguments.arguments("command")
            var path = [context.root]
            for word in words {
                guard let next = path[path.count - 1].subcommand(named: word) else {
                    let names = path[path.count - 1].visibleSubcommands.map(\.name)
                    var error = CLIError.unknownCommand(
                        word, in: path.commandName, suggestion: SpellingSuggestion.closest(to: word, among: names))
                    error.commandPath = ["help"]
                    throw error
                }
                path.append(next)
            }
            context.console.output(HelpFormatter(width: context.console.width).help(for: path))
            return ExitCode.success.rawValue
        })
}
