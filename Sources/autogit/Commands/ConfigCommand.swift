/// `autogit config …`: the server's configuration.
enum ConfigCommand {
    static let spec = CommandSpec(
        "config", abstract: "Read or change the server's configuration",
        discussion: "Changes are applied as a JSON merge patch; the server checks them against its schema.",
        subcommands: [get, set, schema])

    static let get = CommandSpec(
        "get", abstract: "Show the server's configuration, or one key of it",
        arguments: [ArgumentSpec("key", help: "A dotted key such as scheduler.interval", isOptional: true)],
        run: CommandSpec.notImplemented())

    static let set = CommandSpec(
        "set", abstract: "Change the server's configuration",
        arguments: [
            ArgumentSpec(
                "key=value", help: "Dotted keys and JSON values, such as jobs.max_timeout=3600", isOptional: true, isVariadic: true)
        ],
        options: [.value("file", short: "f", valueName: "file", help: "Apply a JSON merge patch from a file (- for standard input)")],
        examples: [.init("autogit config set scheduler.interval=5", "Schedule every five seconds")],
        run: CommandSpec.notImplemented())

    static let schema = CommandSpec(
        "schema", abstract: "Print the JSON schema of the server's configuration", run: CommandSpec.notImplemented())
}
