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
        run: runList)

    static let get = CommandSpec(
        "get", abstract: "Show one GPU", aliases: ["show"], arguments: [ArgumentSpec("id", help: "The GPU's id")], run: runGet)

    static let available = CommandSpec(
        "available", abstract: "List GPUs free to take a job",
        options: [
            .value("type", valueName: "type", help: "Only GPUs of this family or model, such as a100"),
            .value("min-memory", valueName: "gib", help: "Only GPUs with at least this much memory, in GiB"),
        ],
        examples: [.init("autogit gpus available --type h100", "Free H100s")],
        run: runAvailable)

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let (runner, type) = (arguments.value("runner"), arguments.value("type"))
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.gpus.listPage(runnerID: runner, type: type, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) { output.gpuTable(page.items) }
        return ExitCode.success.rawValue
    }

    static func runGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let gpu = try await context.client().gpus.get(try arguments.required("id"))
        let output = context.output
        try output.renderDetails(gpu, id: gpu.id) { output.gpuDetails(gpu) }
        return ExitCode.success.rawValue
    }

    static func runAvailable(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let type = arguments.value("type")
        var minimumMemory: Double?
        if let text = arguments.value("min-memory") {
            guard let value = Double(text), value > 0 else {
                throw CLIError.invalidValue(text, for: "--min-memory", expected: "a number of GiB above zero")
            }
            minimumMemory = value
        }
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.gpus.availablePage(type: type, minMemoryGB: minimumMemory, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) { output.gpuTable(page.items) }
        return ExitCode.success.rawValue
    }
}
