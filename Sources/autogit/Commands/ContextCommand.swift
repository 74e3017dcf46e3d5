/// `autogit context …`: named server connections.
enum ContextCommand {
    static let contextName = ArgumentSpec("name", help: "The context's name")

    static let spec = CommandSpec(
        "context", abstract: "Switch between servers with named contexts",
        discussion: """
            A context is a server URL and a token saved under a name in ~/.config/autogit/config.json \
            (XDG_CONFIG_HOME honoured). --server, --token and their environment variables override the current one.
            """,
        subcommands: [add, use, list, remove])

    static let add = CommandSpec(
        "add", abstract: "Save a server as a context",
        discussion: "Takes the server from --server and the token, if any, from --token. The first context becomes the current one.",
        arguments: [contextName],
        examples: [.init("autogit context add lab --server https://lab.example.com:8080", "A context for the lab server")],
        run: runAdd)

    static let use = CommandSpec(
        "use", abstract: "Make a context the current one", arguments: [contextName], run: runUse)

    static let list = CommandSpec("list", abstract: "List contexts", aliases: ["ls"], run: runList)

    static let remove = CommandSpec(
        "remove", abstract: "Delete a context", aliases: ["rm"], arguments: [contextName], run: runRemove)

    static func runAdd(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        guard context.globalOptions.isServerExplicit else {
            throw CLIError.usage("missing option '--server': the URL this context connects to", code: .missingValue)
        }
        _ = try ServerConnection.checkedURL(context.globalOptions.server)
        var settings = try context.loadSettings()
        settings.contexts[name] = .init(server: context.globalOptions.server, token: context.globalOptions.token)
        if settings.current == nil { settings.currentContext = name }
        try settings.save(to: context.settingsURL)
        let current = settings.currentContext == name ? " (current)" : ""
        context.console.writeLine("Saved context \(name) for \(context.globalOptions.server)\(current).")
        return ExitCode.success.rawValue
    }

    static func runUse(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        var settings = try context.loadSettings()
        guard settings.contexts[name] != nil else { throw unknown(name, settings) }
        settings.currentContext = name
        try settings.save(to: context.settingsURL)
        context.console.writeLine("Switched to context \(name).")
        return ExitCode.success.rawValue
    }

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let settings = try context.loadSettings()
        let names = settings.contexts.keys.sorted()
        let rows = names.map { name in
            ContextRow(
                name: name, server: settings.contexts[name]?.server ?? "", hasToken: settings.contexts[name]?.token != nil,
                isCurrent: settings.currentContext == name)
        }
        try context.output.render(rows, ids: names) {
            Table(
                columns: [.init("current"), .init("name"), .init("server"), .init("token")],
                rows: rows.map { row in
                    [
                        Table.Cell(row.isCurrent ? "*" : ""), Table.Cell(row.name), Table.Cell(row.server),
                        Table.Cell(row.hasToken ? "saved" : "-"),
                    ]
                })
        }
        return ExitCode.success.rawValue
    }

    static func runRemove(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        var settings = try context.loadSettings()
        guard settings.contexts.removeValue(forKey: name) != nil else { throw unknown(name, settings) }
        if settings.currentContext == name { settings.currentContext = nil }
        try settings.save(to: context.settingsURL)
        context.console.writeLine("Removed context \(name).")
        return ExitCode.success.rawValue
    }

    static func unknown(_ name: String, _ settings: ConnectionSettings) -> CLIError {
        let known = settings.contexts.keys.sorted()
        let hint = known.isEmpty ? "add one with 'autogit context add NAME --server URL'" : "known: " + known.joined(separator: ", ")
        return CLIError(.notFound, "no context named '\(name)'", exitCode: .notFound, hint: hint)
    }

    /// A context as `context list -o json` prints it (never the token itself).
    struct ContextRow: Encodable {
        var name: String
        var server: String
        var hasToken: Bool
        var isCurrent: Bool

        enum CodingKeys: String, CodingKey {
            case name, server
            case hasToken = "has_token"
            case isCurrent = "current"
        }
    }
}
