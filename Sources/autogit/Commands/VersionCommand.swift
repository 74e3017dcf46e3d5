/// `autogit version`: the same as `--version`.
enum VersionCommand {
    static let spec = CommandSpec(
        "version", abstract: "Show the version of autogit",
        run: { _, context in
            context.console.writeLine("\(context.root.name) \(AutoGitVersion.current)")
            return ExitCode.success.rawValue
        })
}
