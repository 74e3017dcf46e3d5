import AutoGitClient
import AutoGitCore
import Foundation

/// What each `autogit experiments …` command does.
extension ExperimentsCommand {
    static func runProjects(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let page = try await PageFetcher.fetch(limit: nil) { limit, offset in
            try await client.experiments.projectsPage(limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.name)) {
            Table(
                columns: [.init("project"), .init("runs", alignment: .right), .init("created"), .init("updated")],
                rows: page.items.map { project in
                    [
                        Table.Cell(project.name), Table.Cell(String(project.runCount)), Table.Cell(output.time(project.createdAt)),
                        Table.Cell(output.time(project.updatedAt)),
                    ]
                })
        }
        return ExitCode.success.rawValue
    }

    static func runRunsList(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let project = arguments.value("project")
        let status = arguments.value("status").map(RunStatus.init(rawValue:))
        let tags = try arguments.commaSeparated("tag")
        let deleted = arguments.isSet("deleted")
        let page = try await PageFetcher.fetch(limit: try arguments.positiveInteger("limit")) { limit, offset in
            try await client.experiments.runsPage(
                project: project, status: status, tags: tags, includeDeleted: deleted, limit: limit, offset: offset)
        }
        let output = context.output
        try output.render(page, ids: page.items.map(\.id)) { output.runTable(page.items) }
        return ExitCode.success.rawValue
    }

    static func runRunsGet(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let run = try await context.client().experiments.run(try arguments.required("run"))
        let output = context.output
        try output.renderDetails(run, id: run.id) { output.runDetails(run) }
        return ExitCode.success.rawValue
    }

    static func runRunsDelete(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        let permanent = arguments.isSet("permanent")
        return try await RunnersCommand.forEachID(arguments.arguments("run"), context) { id in
            let run = try await client.experiments.deleteRun(id, permanent: permanent)
            let message =
                permanent
                ? "Deleted run \(id) for good." : "Moved run \(id) to the trash (restore it with 'autogit experiments runs restore \(id)')."
            return (run.map(RunDeletion.run) ?? RunDeletion.deleted(id), message)
        }
    }

    static func runRunsRestore(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let client = try context.client()
        return try await RunnersCommand.forEachID(arguments.arguments("run"), context) { id in
            (try await client.experiments.restoreRun(id), "Restored run \(id).")
        }
    }

    static func runMetrics(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        guard let key = arguments.value("key") else {
            throw CLIError.usage("missing option '--key': the metric to show", code: .missingValue)
        }
        let series = try await context.client().experiments.metrics(
            try arguments.required("run"), key: key, sinceStep: try arguments.integer("since-step"),
            maxPoints: try arguments.positiveInteger("max-points"))
        let output = context.output
        if arguments.isSet("plot") && output.format != .json && !output.isQuiet {
            let chart = BrailleChart(width: max(20, min(120, context.console.width - 12)), height: 12)
            context.console.writeLine(context.styler.apply(.bold, to: "\(series.key) of \(series.runID)") + describe(series))
            context.console.output(chart.render(series.points.map { (Double($0.step), $0.value) }))
            return ExitCode.success.rawValue
        }
        try output.render(series, ids: series.points.map { String($0.step) }) {
            Table(
                columns: [.init("step", alignment: .right), .init("value", alignment: .right), .init("time")],
                rows: series.points.map { point in
                    [Table.Cell(String(point.step)), Table.Cell(BrailleChart.label(point.value)), Table.Cell(output.time(point.timestamp))]
                })
        }
        return ExitCode.success.rawValue
    }

    /// " (500 of 100000 points, downsampled)".
    private static func describe(_ series: RunMetricSeries) -> String {
        let shown = series.points.count
        if series.downsampled { return " (\(shown) of \(series.totalPoints) points, downsampled keeping extremes)" }
        return " (\(shown) points)"
    }

    static func runCompare(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let ids = arguments.arguments("run")
        guard ids.count >= 2 else { throw CLIError.usage("compare needs at least two runs") }
        let request = ComparisonRequest(
            runIDs: ids, metric: arguments.value("metric"), mode: OptimizationMode(rawValue: arguments.value("mode") ?? "min"))
        let comparison = try await context.client().experiments.compare(request)
        let output = context.output
        try output.renderDetails(comparison, id: comparison.bestPerformer ?? "") { output.comparisonDetails(comparison) }
        return ExitCode.success.rawValue
    }
}
