import AutoGitClient
import AutoGitCore
import Foundation

/// What each `autogit instances …` command does.
extension InstancesCommand {
    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let status = arguments.value("status").map(InstanceStatus.init(rawValue:))
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.instances.listPage(status: status, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.name)) { output.instanceTable(page.items) }
        return ExitCode.success.rawValue
    }

    static func runGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let instance = try await context.client().instances.get(try arguments.required("name"))
        let output = context.output
        try output.renderDetails(instance, id: instance.name) { output.instanceDetails(instance) }
        return ExitCode.success.rawValue
    }

    static func runCreate(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let definition = try InstanceDefinition(arguments)
        var instance = Instance(name: try arguments.required("name"))
        definition.apply(to: &instance)
        let client = try context.client()
        var created = try await client.instances.create(instance)
        if arguments.isSet("start") {
            _ = try await client.instances.start(created.name)
            created = try await client.instances.get(created.name)
        }
        let output = context.output
        try output.renderDetails(created, id: created.name) { output.instanceDetails(created) }
        return ExitCode.success.rawValue
    }

    static func runUpdate(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let update = try InstanceDefinition(arguments).update
        guard update != InstanceUpdate() else { throw CLIError.usage("nothing to change: give at least one option") }
        let instance = try await context.client().instances.update(try arguments.required("name"), update)
        let output = context.output
        try output.renderDetails(instance, id: instance.name) { output.instanceDetails(instance) }
        return ExitCode.success.rawValue
    }

    static func runDelete(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let force = arguments.isSet("force")
        return try await RunnersCommand.forEachID(arguments.arguments("name"), context) { name in
            (try await client.instances.delete(name, force: force), "Deleted instance \(name).")
        }
    }

    static func runStart(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        let result = try await context.client().instances.start(name)
        try context.output.renderAction(result, id: name, message: result.message ?? "Starting instance \(name).")
        return ExitCode.success.rawValue
    }

    static func runStop(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        let request = InstanceStopRequest(force: arguments.isSet("force") ? true : nil, timeout: try arguments.duration("timeout"))
        let result = try await context.client().instances.stop(name, request)
        try context.output.renderAction(result, id: name, message: result.message ?? "Stopped instance \(name).")
        return ExitCode.success.rawValue
    }

    static func runRestart(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        let result = try await context.client().instances.restart(name)
        try context.output.renderAction(result, id: name, message: result.message ?? "Restarting instance \(name).")
        return ExitCode.success.rawValue
    }

    static func runHealth(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let name = try arguments.required("name")
        let health = try await context.client().instances.health(name)
        let output = context.output
        try output.renderDetails(health, id: name) {
            var details = DetailList()
            details.add("Instance", name)
            details.add("Health", output.status(health.status.rawValue))
            details.add("Checked", health.lastCheck.map { output.time($0) })
            for (check, value) in health.checks.sorted(by: { $0.key < $1.key }) { details.add(check, value) }
            return details
        }
        return health.status == .unhealthy ? ExitCode.failure.rawValue : ExitCode.success.rawValue
    }

    static func runLogs(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let stream = try context.client().instances.logs(
            try arguments.required("name"), lines: try arguments.positiveInteger("tail"),
            level: arguments.value("level").map(LogLevel.init(rawValue:)), follow: arguments.isSet("follow"))
        try await LogPrinter(context: context, showsStep: false).print(stream)
        return ExitCode.success.rawValue
    }

    static func runStartAll(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let result = try await context.client().instances.startAll()
        return try renderBatch(result, verb: "started", context)
    }

    static func runStopAll(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let result = try await context.client().instances.stopAll(InstanceStopRequest(force: arguments.isSet("force") ? true : nil))
        return try renderBatch(result, verb: "stopped", context)
    }

    /// One row per instance of a batch; exit 1 when any failed.
    static func renderBatch(_ result: InstanceBatchResult, verb: String, _ context: CommandContext) throws -> Int32 {
        let output = context.output
        try output.render(result, ids: result.results.map(\.name)) {
            Table(
                columns: [.init("name"), .init("result"), .init("status"), .init("error")],
                rows: result.results.map { item in
                    [
                        Table.Cell(item.name), Table.Cell(item.success ? verb : "failed", style: item.success ? .green : .red),
                        output.status(item.status?.rawValue ?? "-"), Table.Cell(item.error?.message ?? "-"),
                    ]
                })
        }
        return result.results.allSatisfy(\.success) ? ExitCode.success.rawValue : ExitCode.failure.rawValue
    }
}
