/// `autogit providers …`: the plugins that provision runners.
enum ProvidersCommand {
    static let spec = CommandSpec(
        "providers", abstract: "Show the plugins that provision runners", subcommands: [list])

    static let list = CommandSpec(
        "list", abstract: "List providers with their capacity and health", aliases: ["ls"], run: CommandSpec.notImplemented())
}
