import AutoGitClient
import AutoGitCore
import Foundation

/// `jobs submit --wait`: shows the job's way to a runner (queued → assigned → running) on standard error, streams
/// its output to standard output while it runs, and turns its outcome into the command's exit status.
struct JobWaiter: Sendable {
    var client: AutoGitClient
    var context: CommandContext
    /// How often the job is read while it waits for a runner.
    var pollInterval: Duration = .milliseconds(250)

    /// Waits for `job` to end; returns its exit status: 0 when it succeeded, the failing step's exit code when it
    /// failed with one, 124 when it timed out (as `timeout(1)` does), 1 otherwise.
    func wait(for job: Job) async throws -> Int32 {
        let progress = ProgressIndicator(console: context.console)
        var current = job
        progress.update(describe(current))
        while !current.status.isFinal && current.status != .running {
            try await Task.sleep(for: pollInterval)
            current = try await client.jobs.get(job.id)
            // The outcome is said once, after the output; only the way there is progress.
            if !current.status.isFinal { progress.update(describe(current)) }
        }
        progress.finish(current.status.isFinal ? nil : describe(current))
        try await LogPrinter(context: context, showsStep: current.spec.steps.count > 1).print(
            client.jobs.logs(job.id, after: 0, follow: true))
        // The log stream ends with the job; read the final record (once more if the stream ended first).
        current = try await client.jobs.get(job.id)
        while !current.status.isFinal {
            try await Task.sleep(for: pollInterval)
            current = try await client.jobs.get(job.id)
        }
        let summary = describe(current)
        context.console.writeErrorLine(context.styler.apply(current.status == .succeeded ? .green : .red, to: summary))
        return Self.exitStatus(of: current)
    }

    /// One line for the progress display and the final summary.
    func describe(_ job: Job) -> String {
        switch job.status {
        case .queued:
            return "job \(job.id) queued" + (job.statusReason.map { ": \($0)" } ?? ", waiting for a runner")
        case .assigned:
            return "job \(job.id) assigned to \(job.runnerID ?? "a runner")"
        case .running:
            return "job \(job.id) running on \(job.runnerID ?? "a runner")"
        case .succeeded:
            return "job \(job.id) succeeded" + (job.duration.map { " in \(context.output.duration($0))" } ?? "")
        default:
            var text = "job \(job.id) \(job.status.rawValue)"
            if let code = job.exitCode { text += " with exit code \(code)" }
            if let reason = job.statusReason { text += ": \(reason)" }
            return text
        }
    }

    static func exitStatus(of job: Job) -> Int32 {
        switch job.status {
        case .succeeded: return 0
        case .timedOut: return 124
        default:
            let code = job.exitCode ?? job.stepResults.last { $0.exitCode != nil && $0.exitCode != 0 }?.exitCode
            guard let code, code > 0, code < 256 else { return ExitCode.failure.rawValue }
            return code
        }
    }
}
