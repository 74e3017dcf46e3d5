import AutoGitCore

/// `autogit tokens …`: API tokens.
enum TokensCommand {
    static let spec = CommandSpec(
        "tokens", abstract: "Manage API tokens",
        discussion: "Only admin tokens can manage tokens. A new token's secret is shown once, when it is created.",
        subcommands: [list, create, revoke])

    static let list = CommandSpec("list", abstract: "List tokens (never their secrets)", aliases: ["ls"], run: CommandSpec.notImplemented())

    static let create = CommandSpec(
        "create", abstract: "Create a token and print its secret once",
        options: [
            .value("name", valueName: "name", help: "What the token is for"),
            .value(
                "role", valueName: "role", help: "What the token may do", defaultValue: Role.viewer.rawValue,
                allowedValues: Role.allCases.map(\.rawValue)),
            .value("expires-in", valueName: "duration", help: "Lifetime, such as 30d (default: no expiry)"),
            .value("runner", valueName: "id", help: "For role runner: the runner the token belongs to"),
        ],
        examples: [.init("autogit tokens create --name ci --role operator --expires-in 90d", "A token for CI")],
        run: CommandSpec.notImplemented())

    static let revoke = CommandSpec(
        "revoke", abstract: "Revoke tokens",
        arguments: [ArgumentSpec("id", help: "Ids of the tokens to revoke", isVariadic: true)],
        run: CommandSpec.notImplemented())
}
