/// `autogit gpus …`: the GPU inventory runners report.
enum GPUsCommand {
    static let spec = CommandSpec(
        "gpus", abstract: "Show the GPUs runners report and which are free",
        discussion: "A GPU is available when it is healthy and no job holds it.",
        subcommands: [list, get, available])

    static let list = CommandSpec(
        "list", abstract: "List GPUs across runners", aliases: ["ls"],
        options: [
            .value("runner", valueName: "id", help: "Only GPUs of this runner"),
            .value("type", valueName: "type", help: "Only GPUs of this family or model, such as a100"),
        ],
        run: CommandSpec.notImplemented())

    static let get = CommandSpec(
        "get", abstract: "Show one GPU", aliases: ["show"], arguments: [ArgumentSpec("id", help: "The GPU's id")],
        run: CommandSpec.notImplemented())

    static let available = CommandSpec(
        "available", abstract: "List GPUs free to take a job",
        options: [
            .value("type", valueName: "type", help: "Only GPUs of this family or model, such as a100"),
            .value("min-memory", valueName: "gib", help: "Only GPUs with at least this much memory, in GiB"),
        ],
        examples: [.init("autogit gpus available --type h100", "Free H100s")],
        run: CommandSpec.notImplemented())
}
