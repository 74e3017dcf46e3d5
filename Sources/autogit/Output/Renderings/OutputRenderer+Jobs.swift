import AutoGitCore
import Foundation

extension OutputRenderer {
    func jobTable(_ jobs: [Job]) -> Table {
        Table(
            columns: [
                .init("id"), .init("name"), .init("status"), .init("runner"), .init("gpus"), .init("created"),
                .init("duration", alignment: .right), .init("exit", alignment: .right, isWideOnly: true),
                .init("attempt", alignment: .right, isWideOnly: true), .init("priority", alignment: .right, isWideOnly: true),
                .init("labels", isWideOnly: true),
            ],
            rows: jobs.map { job in
                [
                    Table.Cell(job.id), Table.Cell(job.name), status(job.status.rawValue), Table.Cell(job.runnerID ?? "-"),
                    Table.Cell(gpuRequest(job)), Table.Cell(time(job.createdAt)), Table.Cell(duration(job.duration)),
                    Table.Cell(job.exitCode.map(String.init) ?? "-"), Table.Cell(String(job.attempt)),
                    Table.Cell(String(job.spec.priority)), Table.Cell(list(job.spec.requirements.labels)),
                ]
            })
    }

    /// "2×a100 [0,1]": what the job asked for and, once placed, the indices it got.
    func gpuRequest(_ job: Job) -> String {
        guard let gpu = job.spec.requirements.gpu, gpu.count > 0 else { return "-" }
        var text = "\(gpu.count)×\(gpu.type ?? "any")"
        if !job.gpuIndices.isEmpty { text += " [" + job.gpuIndices.map(String.init).joined(separator: ",") + "]" }
        return text
    }

    func jobDetails(_ job: Job) -> DetailList {
        var details = DetailList()
        details.add("ID", job.id)
        details.add("Name", job.name)
        details.add("Status", status(job.status.rawValue))
        details.add("Reason", job.statusReason)
        details.add("Runner", job.runnerID)
        details.add("GPUs", gpuRequest(job))
        details.add("Labels", list(job.spec.requirements.labels))
        details.add("Architecture", job.spec.requirements.architecture?.rawValue)
        details.add("Priority", String(job.spec.priority))
        details.add("Attempt", "\(job.attempt) of \(job.spec.retryCount + 1)")
        details.add("Timeout", job.spec.timeout.map { duration(Double($0)) })
        details.add("Exit code", job.exitCode.map(String.init))
        details.add("Created", time(job.createdAt))
        details.add("Started", job.startedAt.map { time($0) })
        details.add("Completed", job.completedAt.map { time($0) })
        details.add("Duration", job.duration.map { duration($0) })
        var steps = Table(columns: [
            .init("step"), .init("status"), .init("exit", alignment: .right), .init("duration", alignment: .right), .init("command"),
        ])
        for (index, step) in job.spec.steps.enumerated() {
            let result = job.stepResults.first { $0.name == step.name } ?? (index < job.stepResults.count ? job.stepResults[index] : nil)
            steps.rows.append([
                Table.Cell(step.name), status(result?.status.rawValue ?? "pending"),
                Table.Cell(result?.exitCode.map(String.init) ?? "-"), Table.Cell(duration(result?.duration)), Table.Cell(step.run),
            ])
        }
        details.addSection("Steps", steps)
        if !job.previousAttempts.isEmpty {
            var attempts = Table(columns: [
                .init("attempt", alignment: .right), .init("status"), .init("exit", alignment: .right), .init("runner"),
                .init("duration", alignment: .right), .init("reason"),
            ])
            for attempt in job.previousAttempts {
                attempts.rows.append([
                    Table.Cell(String(attempt.attempt)), status(attempt.status.rawValue),
                    Table.Cell(attempt.exitCode.map(String.init) ?? "-"),
                    Table.Cell(attempt.runnerID ?? "-"), Table.Cell(duration(attempt.duration)), Table.Cell(attempt.reason ?? ""),
                ])
            }
            details.addSection("Earlier attempts", attempts)
        }
        return details
    }

    /// A log line for people: `[step] message`, stderr lines in red on a terminal.
    func logLine(_ entry: LogEntry, showsStep: Bool) -> String {
        var text = entry.message
        if showsStep, let step = entry.step { text = styler.apply(.dim, to: "[\(step)]") + " " + text }
        if entry.stream?.rawValue == "stderr" { return styler.apply(.red, to: text) }
        return text
    }
}
