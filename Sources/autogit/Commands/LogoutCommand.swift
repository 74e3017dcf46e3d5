/// `autogit logout`: forget the stored token.
enum LogoutCommand {
    static let spec = CommandSpec(
        "logout", abstract: "Remove the stored token of the current context",
        discussion: "With --server, removes the token of the context saved for that server instead.",
        run: run)

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        var settings = try context.loadSettings()
        let name: String?
        if context.globalOptions.isServerExplicit {
            let wanted = ServerConnection.normalized(context.globalOptions.server)
            name = settings.contexts.keys.sorted().first { ServerConnection.normalized(settings.contexts[$0]?.server ?? "") == wanted }
        } else {
            name = settings.current?.name
        }
        guard let name, settings.contexts[name]?.token != nil else {
            context.console.writeLine("No token is saved for this server; nothing to do.")
            return ExitCode.success.rawValue
        }
        settings.contexts[name]?.token = nil
        try settings.save(to: context.settingsURL)
        context.console.writeLine("Logged out: removed the token of context \(name).")
        return ExitCode.success.rawValue
    }
}
