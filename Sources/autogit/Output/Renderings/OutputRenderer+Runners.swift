import AutoGitCore
import Foundation

extension OutputRenderer {
    func runnerTable(_ runners: [Runner]) -> Table {
        Table(
            columns: [
                .init("id"), .init("name"), .init("status"), .init("gpus"), .init("jobs", alignment: .right), .init("labels"),
                .init("last seen"), .init("host", isWideOnly: true), .init("arch", isWideOnly: true),
                .init("type", isWideOnly: true), .init("provider", isWideOnly: true), .init("version", isWideOnly: true),
            ],
            rows: runners.map { runner in
                [
                    Table.Cell(runner.id), Table.Cell(runner.name), status(runner.status.rawValue), Table.Cell(gpuSummary(runner.gpus)),
                    Table.Cell(runner.currentLoad.map { String($0.activeJobs) } ?? "-"), Table.Cell(list(runner.labels)),
                    Table.Cell(time(runner.lastSeen)), Table.Cell(runner.host ?? "-"),
                    Table.Cell(runner.architecture?.rawValue ?? "-"), Table.Cell(runner.type.rawValue),
                    Table.Cell(runner.provider ?? "-"), Table.Cell(runner.version ?? "-"),
                ]
            })
    }

    func runnerDetails(_ runner: Runner) -> DetailList {
        var details = DetailList()
        details.add("ID", runner.id)
        details.add("Name", runner.name)
        details.add("Status", status(runner.status.rawValue))
        details.add("Type", runner.type.rawValue)
        details.add("Host", runner.host)
        details.add("Architecture", runner.architecture?.rawValue)
        details.add("OS", runner.os)
        details.add("Labels", list(runner.labels))
        details.add("Tags", list(runner.tags))
        details.add("CPU cores", runner.resources?.cpuCores.map(String.init))
        details.add("Memory", runner.resources?.memoryGB.map { Self.decimal($0) + " GB" })
        details.add("Max jobs", runner.maxConcurrentJobs.map(String.init))
        details.add("Active jobs", runner.currentLoad.map { String($0.activeJobs) })
        details.add("CPU", runner.currentLoad?.cpuUsage.map { percent($0) })
        details.add("Provider", runner.provider)
        details.add("Version", runner.version)
        details.add("Registered", runner.registeredAt.map { time($0) })
        details.add("Last seen", runner.lastSeen.map { time($0) })
        details.addSection("GPUs", gpuTable(runner.gpus, showsRunner: false))
        return details
    }

    /// "2 × A100-SXM4-80GB (1 free)", or "-" without GPUs; mixed models are listed by count.
    func gpuSummary(_ gpus: [GPU]) -> String {
        guard !gpus.isEmpty else { return "-" }
        var counts: [(model: String, count: Int)] = []
        for gpu in gpus {
            let model = Self.shortModel(gpu.model)
            if let index = counts.firstIndex(where: { $0.model == model }) {
                counts[index].count += 1
            } else {
                counts.append((model, 1))
            }
        }
        let free = gpus.filter(\.isAvailable).count
        return counts.map { "\($0.count)×\($0.model)" }.joined(separator: "+") + " (\(free) free)"
    }

    /// The model without the vendor's name in front: "NVIDIA A100-SXM4-80GB" → "A100-SXM4-80GB".
    static func shortModel(_ model: String) -> String {
        for prefix in ["NVIDIA ", "AMD ", "Intel "] where model.hasPrefix(prefix) {
            return String(model.dropFirst(prefix.count))
        }
        return model
    }

    func runnerStatusDetails(_ report: RunnerStatusReport) -> DetailList {
        var details = DetailList()
        details.add("Runner", report.runnerID)
        details.add("Status", status(report.status.rawValue))
        details.add("Health", report.health.map { status($0.rawValue) } ?? "-")
        details.add("Last heartbeat", report.lastHeartbeat.map { time($0) })
        details.add("Active jobs", report.currentLoad.map { String($0.activeJobs) })
        details.add("CPU", report.currentLoad?.cpuUsage.map { percent($0) })
        details.add("Memory", report.currentLoad?.memoryUsage.map { percent($0) })
        details.add("Disk", report.currentLoad?.diskUsage.map { percent($0) })
        for (name, value) in report.capabilitiesStatus.sorted(by: { $0.key < $1.key }) {
            details.add(name, value)
        }
        return details
    }

    func healthTable(_ checks: [String: HealthCheck]) -> Table {
        Table(
            columns: [.init("check"), .init("status"), .init("message")],
            rows: checks.sorted { $0.key < $1.key }.map { name, check in
                [
                    Table.Cell(name), status(check.status.rawValue == "pass" ? "ok" : check.status.rawValue),
                    Table.Cell(check.message ?? "-"),
                ]
            })
    }

    /// One row per metric: its latest value, and the summary the server computed.
    func metricsTable(_ metrics: RunnerMetrics) -> Table {
        Table(
            columns: [.init("metric"), .init("latest", alignment: .right), .init("points", alignment: .right), .init("trend")],
            rows: metrics.metrics.sorted { $0.key < $1.key }.map { name, series in
                let values = series.map(\.value)
                return [
                    Table.Cell(name), Table.Cell(values.last.map { Self.decimal($0) } ?? "-"), Table.Cell(String(values.count)),
                    Table.Cell(Sparkline.render(values, width: 24)),
                ]
            })
    }

    func runnerConfigurationDetails(_ document: RunnerConfigurationDocument) -> DetailList {
        let configuration = document.configuration
        var details = DetailList()
        details.add("Runner", document.runnerID)
        details.add("Max jobs", configuration.maxConcurrentJobs.map(String.init))
        details.add("Job timeout", configuration.jobTimeout.map { duration(Double($0)) })
        details.add("Cleanup", configuration.cleanupPolicy?.rawValue)
        details.add("CPU limit", configuration.resourceLimits?.cpuLimit)
        details.add("Memory limit", configuration.resourceLimits?.memoryLimit)
        details.add("Disk limit", configuration.resourceLimits?.diskLimit)
        details.add("Last updated", document.lastUpdated.map { time($0) })
        return details
    }
}
