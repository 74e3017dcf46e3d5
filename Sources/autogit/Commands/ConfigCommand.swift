/// `autogit config …`: the server's configuration.
enum ConfigCommand {
    static let spec = CommandSpec(
        "config", abstract: "Read or change the server's configuration",
        discussion: "Changes are applied as a JSON merge patch; the server checks them against its schema.",
        subcommands: [get, set, schema])

    static let get = CommandSpec(
        "get", abstract: "Show the server's configuration, or one key of it",
        arguments: [ArgumentSpec("key", help: "A dotted key such as rate_limits.enabled", isOptional: true)],
        run: runGet)

    static let set = CommandSpec(
        "set", abstract: "Change the server's configuration",
        arguments: [
            ArgumentSpec(
                "key=value", help: "Dotted keys and JSON values, such as jobs.default_timeout_seconds=7200", isOptional: true,
                isVariadic: true)
        ],
        options: [.value("file", short: "f", valueName: "file", help: "Apply a JSON merge patch from a file (- for standard input)")],
        examples: [.init("autogit config set rate_limits.authenticated_per_minute=600", "Allow 600 requests a minute per token")],
        run: runSet)

    static let schema = CommandSpec(
        "schema", abstract: "Print the JSON schema of the server's configuration", run: runSchema)
}
