import AutoGitClient
import AutoGitCore
import Foundation

/// What each `autogit runners …` command does: build the SDK call from the arguments, then render its result.
extension RunnersCommand {
    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let status = arguments.value("status").map(RunnerStatus.init(rawValue:))
        let type = arguments.value("type").map(RunnerType.init(rawValue:))
        let labels = try arguments.commaSeparated("label")
        let tags = try arguments.commaSeparated("tag")
        let page = try await PageFetcher.fetch(limit: try arguments.positiveInteger("limit")) { limit, offset in
            try await client.runners.listPage(status: status, type: type, tags: tags, labels: labels, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) { output.runnerTable(page.items) }
        return ExitCode.success.rawValue
    }

    static func runGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let runner = try await context.client().runners.get(try arguments.required("id"))
        let output = context.output
        try output.renderDetails(runner, id: runner.id) { output.runnerDetails(runner) }
        return ExitCode.success.rawValue
    }

    static func runProvision(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let request = RunnerProvisionRequest(
            provider: arguments.value("provider"), architecture: arguments.value("arch").map(Architecture.init(rawValue:)),
            gpuType: arguments.value("gpu-type"),
            gpuCount: try arguments.positiveInteger("gpus") ?? (arguments.value("gpu-type") == nil ? nil : 1),
            labels: try arguments.commaSeparated("label"), name: arguments.value("name"),
            count: try arguments.positiveInteger("count"))
        let runners = try await context.client().runners.provision(request)
        let output = context.output
        try output.render(runners, ids: runners.map(\.id)) { output.runnerTable(runners) }
        return ExitCode.success.rawValue
    }

    static func runRegister(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        guard let name = arguments.value("name") else { throw CLIError.usage("missing option '--name'", code: .missingValue) }
        let registration = RunnerRegistration(
            name: name, type: arguments.value("type").map(RunnerType.init(rawValue:)) ?? .native, host: arguments.value("host"),
            architecture: arguments.value("arch").map(Architecture.init(rawValue:)), labels: try arguments.commaSeparated("label"),
            maxConcurrentJobs: try arguments.positiveInteger("max-jobs"))
        let result = try await context.client().runners.register(registration)
        try context.output.renderAction(
            result, id: result.runnerID,
            message: """
                Registered runner \(result.runnerID).
                Its token (shown once; the agent sends it as its bearer token): \(result.token)
                """)
        return ExitCode.success.rawValue
    }

    static func runUpdate(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let update = RunnerUpdate(
            name: arguments.value("name"), labels: arguments.hasValue(for: "label") ? try arguments.commaSeparated("label") : nil,
            tags: arguments.hasValue(for: "tag") ? try arguments.commaSeparated("tag") : nil)
        guard update.name != nil || update.labels != nil || update.tags != nil else {
            throw CLIError.usage("nothing to change: give --name, --label or --tag")
        }
        let runner = try await context.client().runners.update(try arguments.required("id"), update)
        let output = context.output
        try output.renderDetails(runner, id: runner.id) { output.runnerDetails(runner) }
        return ExitCode.success.rawValue
    }

    static func runDelete(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let force = arguments.isSet("force")
        return try await forEachID(arguments.arguments("id"), context) { id in
            let result = try await client.runners.delete(id, force: force)
            return (result, "Deleted runner \(id).")
        }
    }

    static func runStart(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let id = try arguments.required("id")
        let result = try await context.client().runners.start(id)
        try context.output.renderAction(result, id: id, message: result.message ?? "Started runner \(id).")
        return ExitCode.success.rawValue
    }

    static func runStop(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let id = try arguments.required("id")
        let request = RunnerStopRequest(
            graceful: arguments.isSet("force") ? false : nil, timeout: try arguments.duration("timeout"), reason: arguments.value("reason"))
        let result = try await context.client().runners.stop(id, request)
        try context.output.renderAction(result, id: id, message: result.message ?? "Stopping runner \(id).")
        return ExitCode.success.rawValue
    }

    static func runRestart(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let id = try arguments.required("id")
        let result = try await context.client().runners.restart(id)
        try context.output.renderAction(result, id: id, message: result.message ?? "Restarting runner \(id).")
        return ExitCode.success.rawValue
    }

    static func runStatus(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let report = try await context.client().runners.status(try arguments.required("id"))
        let output = context.output
        try output.renderDetails(report, id: report.runnerID) { output.runnerStatusDetails(report) }
        return ExitCode.success.rawValue
    }

    static func runHealth(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let health = try await context.client().runners.health(try arguments.required("id"))
        let output = context.output
        try output.renderDetails(health, id: health.runnerID) {
            var details = DetailList()
            details.add("Runner", health.runnerID)
            details.add("Health", output.status(health.health.rawValue))
            details.add("Checked", health.lastCheck.map { output.time($0) })
            details.addSection("Checks", output.healthTable(health.checks))
            return details
        }
        return health.health == .unhealthy ? ExitCode.failure.rawValue : ExitCode.success.rawValue
    }

    static func runMetrics(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let metrics = try await context.client().runners.metrics(
            try arguments.required("id"), period: arguments.value("period"), resolution: arguments.value("resolution"))
        let output = context.output
        try output.render(metrics, ids: [metrics.runnerID]) { output.metricsTable(metrics) }
        return ExitCode.success.rawValue
    }

    static func runLogs(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let since = try arguments.duration("since").map { context.now().addingTimeInterval(-Double($0)) }
        let stream = try context.client().runners.logs(
            try arguments.required("id"), lines: try arguments.positiveInteger("tail"), since: since, follow: arguments.isSet("follow"))
        try await LogPrinter(context: context, showsStep: false).print(stream)
        return ExitCode.success.rawValue
    }

    static func runConfigGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let document = try await context.client().runners.configuration(try arguments.required("id"))
        let output = context.output
        try output.renderDetails(document, id: document.runnerID) { output.runnerConfigurationDetails(document) }
        return ExitCode.success.rawValue
    }

    static func runConfigSet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let id = try arguments.required("id")
        let limits = ResourceLimits(cpuLimit: arguments.value("cpu-limit"), memoryLimit: arguments.value("memory-limit"))
        let configuration = RunnerConfiguration(
            maxConcurrentJobs: try arguments.positiveInteger("max-jobs"), jobTimeout: try arguments.duration("job-timeout"),
            cleanupPolicy: arguments.value("cleanup").map(CleanupPolicy.init(rawValue:)),
            resourceLimits: limits.cpuLimit == nil && limits.memoryLimit == nil ? nil : limits)
        guard configuration != RunnerConfiguration() else {
            throw CLIError.usage("nothing to change: give at least one option")
        }
        let result = try await context.client().runners.updateConfiguration(id, configuration)
        var message = result.message ?? "Updated the configuration of runner \(id)."
        if result.restartRequired == true { message += " It applies after a restart ('autogit runners restart \(id)')." }
        try context.output.renderAction(result, id: id, message: message)
        return ExitCode.success.rawValue
    }

    /// Runs `action` for each id, printing one line (or JSON value) per id; stops at the first failure, which the
    /// runner reports, so earlier successes stay printed.
    static func forEachID<Result: Encodable>(
        _ ids: [String], _ context: CommandContext, _ action: (String) async throws -> (Result, String)
    ) async throws -> Int32 {
        for id in ids {
            let (result, message) = try await action(id)
            try context.output.renderAction(result, id: id, message: message)
        }
        return ExitCode.success.rawValue
    }
}
