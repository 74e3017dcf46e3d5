import AutoGitCore
import Foundation

extension OutputRenderer {
    func runTable(_ runs: [ExperimentRun]) -> Table {
        Table(
            columns: [
                .init("id"), .init("project"), .init("name"), .init("status"), .init("tags"), .init("created"),
                .init("cost", alignment: .right, isWideOnly: true), .init("job", isWideOnly: true), .init("deleted", isWideOnly: true),
            ],
            rows: runs.map { run in
                [
                    Table.Cell(run.id), Table.Cell(run.project), Table.Cell(run.name),
                    status(run.isDeleted ? "deleted" : run.status.rawValue),
                    Table.Cell(list(run.tags)), Table.Cell(time(run.createdAt)), Table.Cell(cost(run.cost, run.currency)),
                    Table.Cell(run.jobID ?? "-"), Table.Cell(time(run.deletedAt)),
                ]
            })
    }

    func runDetails(_ run: ExperimentRun) -> DetailList {
        var details = DetailList()
        details.add("ID", run.id)
        details.add("Project", run.project)
        details.add("Name", run.name)
        details.add("Status", status(run.status.rawValue))
        details.add("Tags", list(run.tags))
        details.add("Job", run.jobID)
        details.add("Cost", run.cost == nil ? nil : cost(run.cost, run.currency))
        details.add("Created", time(run.createdAt))
        details.add("Deleted", run.deletedAt.map { time($0) }, style: .red)
        details.addSection("Params", keyValueTable(run.params))
        details.addSection("Summary", keyValueTable(run.summary))
        return details
    }

    func keyValueTable(_ values: [String: JSONValue]) -> Table {
        Table(
            columns: [.init("key"), .init("value")],
            rows: values.keys.sorted().map { key in [Table.Cell(key), Table.Cell(ConfigurationKey.display(values[key] ?? .null))] })
    }

    func cost(_ amount: Double?, _ currency: String?) -> String {
        guard let amount else { return "-" }
        return String(format: "%.2f", amount) + (currency.map { " " + $0 } ?? "")
    }

    /// The best run, the metrics per run (the winner's column marked), params side by side, and costs.
    func comparisonDetails(_ comparison: Comparison) -> DetailList {
        var details = DetailList()
        let winner = comparison.bestPerformer
        details.add("Best", winner.map { "\($0) by \(comparison.metric ?? "-") (\(comparison.mode?.rawValue ?? "min"))" }, style: .green)
        let headers = comparison.runIDs.map { Table.Column($0 == winner ? "★ " + $0 : $0, alignment: .right) }
        var metrics = Table(columns: [.init("metric")] + headers)
        for key in comparison.metrics.keys.sorted() {
            let values = comparison.metrics[key] ?? []
            metrics.rows.append([Table.Cell(key)] + values.map { Table.Cell($0.map(BrailleChart.label) ?? "-") })
        }
        details.addSection("Final metrics", metrics)
        var params = Table(columns: [.init("param")] + headers)
        for key in comparison.params.keys.sorted() {
            let values = comparison.params[key] ?? []
            params.rows.append([Table.Cell(key)] + values.map { Table.Cell($0.map(ConfigurationKey.display) ?? "-") })
        }
        details.addSection("Params", params)
        if let analysis = comparison.costAnalysis {
            var costs = Table(columns: [.init("cost")] + headers)
            costs.rows.append([Table.Cell("total")] + analysis.totalCosts.map { Table.Cell(cost($0, analysis.currency)) })
            if !analysis.costPerMetricUnit.isEmpty {
                costs.rows.append(
                    [Table.Cell("per unit")] + analysis.costPerMetricUnit.map { Table.Cell($0.map { String(format: "%.4f", $0) } ?? "-") })
            }
            details.addSection("Cost", costs)
        }
        return details
    }
}

extension OutputRenderer {
    func versionTable(_ versions: [ArtifactVersion]) -> Table {
        Table(
            columns: [
                .init("version"), .init("size", alignment: .right), .init("sha256"), .init("aliases"), .init("run"), .init("created"),
            ],
            rows: versions.map { version in
                [
                    Table.Cell(version.label), Table.Cell(bytes(version.sizeBytes)), Table.Cell(String(version.sha256.prefix(12))),
                    Table.Cell(list(version.aliases)), Table.Cell(version.runID ?? "-"), Table.Cell(time(version.createdAt)),
                ]
            })
    }

    /// A byte count in the largest binary unit that keeps it readable.
    func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : Self.decimal(value) + " " + units[unit]
    }
}
