import AutoGitCore

/// `autogit tokens …`: API tokens.
enum TokensCommand {
    static let spec = CommandSpec(
        "tokens", abstract: "Manage API tokens",
        discussion: """
            Only admin tokens can manage tokens. A new token's secret is shown once, when it is created. A token \
            with role runner is a registration token: give it to 'autogit runner --registration-token', and the \
            agent gets its own runner token when it registers.
            """,
        subcommands: [list, create, revoke])

    static let list = CommandSpec(
        "list", abstract: "List tokens (never their secrets)", aliases: ["ls"],
        options: [.value("role", valueName: "role", help: "Only tokens of this role", allowedValues: Role.allCases.map(\.rawValue))],
        run: runList)

    static let create = CommandSpec(
        "create", abstract: "Create a token and print its secret once",
        options: [
            .value("name", valueName: "name", help: "What the token is for"),
            .value(
                "role", valueName: "role", help: "What the token may do", defaultValue: Role.viewer.rawValue,
                allowedValues: Role.allCases.map(\.rawValue)),
            .value("expires-in", valueName: "duration", help: "Lifetime, such as 30d (default: no expiry)"),
        ],
        examples: [
            .init("autogit tokens create --name ci --role operator --expires-in 90d", "A token for CI"),
            .init("autogit tokens create --name gpu-hosts --role runner -q", "A registration token for runner agents"),
        ],
        run: runCreate)

    static let revoke = CommandSpec(
        "revoke", abstract: "Revoke tokens",
        arguments: [ArgumentSpec("id", help: "Ids of the tokens to revoke", isVariadic: true)],
        run: runRevoke)

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let role = arguments.value("role").map(Role.init(rawValue:))
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.tokens.listPage(role: role, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) {
            Table(
                columns: [
                    .init("id"), .init("name"), .init("role"), .init("prefix"), .init("created"), .init("expires"), .init("last used"),
                    .init("runner", isWideOnly: true),
                ],
                rows: page.items.map { token in
                    [
                        Table.Cell(token.id), Table.Cell(token.name), Table.Cell(token.role.rawValue), Table.Cell(token.prefix ?? "-"),
                        Table.Cell(output.time(token.createdAt)), Table.Cell(token.expiresAt.map { output.time($0) } ?? "never"),
                        Table.Cell(output.time(token.lastUsedAt)), Table.Cell(token.runnerID ?? "-"),
                    ]
                })
        }
        return ExitCode.success.rawValue
    }

    /// Prints the new secret: alone with `-q` (for `$(autogit tokens create -q …)`), in the JSON, or with a note.
    static func runCreate(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        guard let name = arguments.value("name") else { throw CLIError.usage("missing option '--name'", code: .missingValue) }
        let role = Role(rawValue: arguments.value("role") ?? Role.viewer.rawValue)
        let token = try await context.client().tokens.create(name: name, role: role, expiresIn: try arguments.duration("expires-in"))
        let secret = token.token ?? ""
        if context.output.isQuiet {
            context.console.writeLine(secret)
        } else if context.output.format == .json {
            context.console.writeLine(try context.output.json(token))
        } else {
            context.console.writeLine("Created token \(token.id) (\(token.name), role \(token.role.rawValue)).")
            context.console.writeLine("Its secret, shown only now: \(secret)")
        }
        return ExitCode.success.rawValue
    }

    static func runRevoke(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        return try await RunnersCommand.forEachID(arguments.arguments("id"), context) { id in
            try await client.tokens.delete(id)
            return (ActionResult(success: true, message: "revoked"), "Revoked token \(id).")
        }
    }
}
