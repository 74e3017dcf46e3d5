/// `autogit context …`: named server connections.
enum ContextCommand {
    static let needs = "the connection settings file, issue 6"
    static let contextName = ArgumentSpec("name", help: "The context's name")

    static let spec = CommandSpec(
        "context", abstract: "Switch between servers with named contexts",
        discussion: """
            A context is a server URL and a token saved under a name in ~/.config/autogit/config.json \
            (XDG_CONFIG_HOME honoured). --server, --token and their environment variables override the current one.
            """,
        subcommands: [add, use, list, remove])

    static let add = CommandSpec(
        "add", abstract: "Save a server as a context", arguments: [contextName],
        examples: [.init("autogit context add lab --server https://lab.example.com:8080", "A context for the lab server")],
        run: CommandSpec.notImplemented(needs: needs))

    static let use = CommandSpec(
        "use", abstract: "Make a context the current one", arguments: [contextName],
        run: CommandSpec.notImplemented(needs: needs))

    static let list = CommandSpec(
        "list", abstract: "List contexts", aliases: ["ls"], run: CommandSpec.notImplemented(needs: needs))

    static let remove = CommandSpec(
        "remove", abstract: "Delete a context", aliases: ["rm"], arguments: [contextName],
        run: CommandSpec.notImplemented(needs: needs))
}
