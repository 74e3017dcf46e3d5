import AutoGitClient
import Foundation

/// `autogit login`: check a token (or a password) against the server and store the token.
enum LoginCommand {
    static let spec = CommandSpec(
        "login", abstract: "Store a token for the server",
        discussion: """
            Checks the token with the server, then stores it in ~/.config/autogit/config.json (XDG_CONFIG_HOME \
            honoured) with mode 0600, in the context for that server: the context already saved for it, else \
            "default" when there is none, else a new context named after the host, which becomes the current one. \
            The token comes from --token, or from standard input with --with-token. With --username the server \
            checks a password read from standard input and returns a session token, which is stored instead.
            """,
        options: [
            .flag("with-token", help: "Read the token from standard input"),
            .value("username", short: "u", valueName: "name", help: "Log in as this user; the password is read from standard input"),
        ],
        examples: [
            .init("echo \"$TOKEN\" | autogit login --server https://autogit.example.com --with-token", "Log in from a script"),
            .init("autogit login --server http://127.0.0.1:8080 -u alice < password.txt", "Log in with a password"),
        ],
        run: run)

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let connection = try context.connection()
        let base = try ServerConnection(server: connection.server).client()
        let token: String
        if let username = arguments.value("username") {
            let password = readLine(context)
            guard !password.isEmpty else { throw CLIError.usage("no password on standard input") }
            token = try await base.auth.login(username: username, password: password).token
        } else if arguments.isSet("with-token") {
            token = readLine(context)
        } else if let given = context.globalOptions.token {
            token = given
        } else {
            throw CLIError.usage("give the token with --token or --with-token, or a user with --username", code: .missingValue)
        }
        guard !token.isEmpty else { throw CLIError.usage("the token is empty") }
        // A read every role but runner may do: proves the token works before it is saved.
        _ = try await base.with(credentials: .bearer(token)).system.status()
        var settings = try context.loadSettings()
        let name = contextName(for: connection.server, in: settings)
        settings.contexts[name] = .init(server: connection.server, token: token)
        settings.currentContext = name
        try settings.save(to: context.settingsURL)
        context.console.writeLine("Logged in to \(connection.server); the token is saved in context \(name).")
        return ExitCode.success.rawValue
    }

    /// The context that holds `server`'s token: the one saved for that server, else `default` when it is free,
    /// else a new one named after the host and port.
    static func contextName(for server: String, in settings: ConnectionSettings) -> String {
        let wanted = ServerConnection.normalized(server)
        if let current = settings.current, ServerConnection.normalized(current.context.server) == wanted { return current.name }
        if let match = settings.contexts.keys.sorted().first(where: { ServerConnection.normalized(settings.contexts[$0]!.server) == wanted }
        ) {
            return match
        }
        if settings.contexts["default"] == nil { return "default" }
        let url = URL(string: server)
        var base = url?.host ?? "server"
        if let port = url?.port { base += ":\(port)" }
        var name = base
        var suffix = 2
        while settings.contexts[name] != nil {
            name = "\(base)-\(suffix)"
            suffix += 1
        }
        return name
    }

    /// The first line of standard input, trimmed.
    static func readLine(_ context: CommandContext) -> String {
        let text = String(decoding: context.console.readInput(), as: UTF8.self)
        return String(text.split(whereSeparator: \.isNewline).first ?? "").trimmingCharacters(in: .whitespaces)
    }
}
