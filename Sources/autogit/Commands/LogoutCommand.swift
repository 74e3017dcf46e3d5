/// `autogit logout`: forget the stored token.
enum LogoutCommand {
    static let spec = CommandSpec(
        "logout", abstract: "Remove the stored token of the current context",
        run: CommandSpec.notImplemented(needs: "the connection settings file, issue 6"))
}
