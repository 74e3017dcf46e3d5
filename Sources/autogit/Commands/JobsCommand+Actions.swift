import AutoGitClient
import AutoGitCore
import Foundation

/// What each `autogit jobs …` command does.
extension JobsCommand {
    static func runSubmit(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let spec = try JobSpecBuilder.jobSpec(from: arguments) { path in
            path == "-" ? Data(context.console.readInput()) : try Data(contentsOf: URL(fileURLWithPath: path))
        }
        context.debug("job spec: " + (try context.output.json(spec)))
        let client = try context.client()
        let job = try await client.jobs.submit(spec)
        guard arguments.isSet("wait") else {
            let output = context.output
            try output.renderDetails(job, id: job.id) { output.jobDetails(job) }
            return ExitCode.success.rawValue
        }
        return try await JobWaiter(client: client, context: context).wait(for: job)
    }

    static func runList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let status = arguments.values("status").map(JobStatus.init(rawValue:))
        let runner = arguments.value("runner")
        let labels = try arguments.commaSeparated("label")
        let page = try await PageFetcher.fetch(limit: try arguments.positiveInteger("limit")) { limit, offset in
            try await client.jobs.listPage(status: status, runnerID: runner, labels: labels, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) { output.jobTable(page.items) }
        return ExitCode.success.rawValue
    }

    static func runGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let job = try await context.client().jobs.get(try arguments.required("id"))
        let output = context.output
        try output.renderDetails(job, id: job.id) { output.jobDetails(job) }
        return ExitCode.success.rawValue
    }

    static func runCancel(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        return try await RunnersCommand.forEachID(arguments.arguments("id"), context) { id in
            let job = try await client.jobs.cancel(id)
            let message = job.status == .cancelled ? "Cancelled job \(id)." : "Cancelling job \(id) (its runner stops it within one poll)."
            return (job, message)
        }
    }

    static func runLogs(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let id = try arguments.required("id")
        // Without --tail, the whole log: every attempt of a retried job, in order.
        let tail = try arguments.positiveInteger("tail")
        let stream = client.jobs.logs(id, lines: tail, after: tail == nil ? 0 : nil, follow: arguments.isSet("follow"))
        let step = arguments.value("step")
        try await LogPrinter(context: context, showsStep: step == nil, step: step).print(stream)
        return ExitCode.success.rawValue
    }
}
