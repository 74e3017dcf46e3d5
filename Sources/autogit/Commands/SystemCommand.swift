/// `autogit system …`: the server itself.
enum SystemCommand {
    static let spec = CommandSpec(
        "system", abstract: "Show the server's health and version", subcommands: [status, info])

    static let status = CommandSpec(
        "status", abstract: "Show the server's health, queue and runner counts", run: CommandSpec.notImplemented())

    static let info = CommandSpec(
        "info", abstract: "Show the server's version, API version and enabled features", run: CommandSpec.notImplemented())
}
