/// `autogit login`: check a token against the server and store it.
enum LoginCommand {
    static let spec = CommandSpec(
        "login", abstract: "Store a token for the server",
        discussion: """
            Checks the token with the server, then stores it in the current context of \
            ~/.config/autogit/config.json (XDG_CONFIG_HOME honoured) with mode 0600. The token comes from \
            --token, or from standard input with --with-token.
            """,
        options: [.flag("with-token", help: "Read the token from standard input")],
        examples: [.init("echo \"$TOKEN\" | autogit login --server https://autogit.example.com --with-token", "Log in from a script")],
        run: CommandSpec.notImplemented())
}
