import AutoGitClient
import AutoGitCore
import Foundation

/// Runs one job to its end on this machine and reports it: a fresh working directory, each step in order through
/// the ``StepExecutor``, output through a ``LogUploader``, progress and the final status through `PATCH
/// /v1/jobs/{id}`.
///
/// The first step that fails ends the job (`failed`, with that step's exit code); the rest are `skipped`. The job's
/// timeout counts from its start across all steps; when it passes, the running step's process group is
/// terminated and the job ends `timed_out`. ``cancel(_:)`` (from the server's heartbeat answer, or a job report
/// answer that shows the job cancelled) ends it `cancelled`. Output is uploaded in full before the final status is
/// reported, so a follower that sees the job final has seen every line.
final class JobRunner: Sendable {
    let job: Job
    private let runnerID: String
    private let client: AutoGitClient
    private let inventory: HostInventory
    private let configuration: RunnerAgentConfiguration
    private let executor: StepExecutor
    private let control = ExecutionControl()

    init(job: Job, runnerID: String, client: AutoGitClient, inventory: HostInventory, configuration: RunnerAgentConfiguration) {
        self.job = job
        self.runnerID = runnerID
        self.client = client
        self.inventory = inventory
        self.configuration = configuration
        executor = StepExecutor(killGracePeriod: configuration.killGracePeriod)
    }

    /// Stops the job: the running step's whole process group is terminated and no further step starts.
    func cancel(_ reason: StopReason) {
        control.stop(reason, grace: configuration.killGracePeriod)
    }

    /// Why the job was stopped, if it was.
    var stopReason: StopReason? { control.stopReason }

    /// The job's working directory.
    var workDirectory: String {
        let safe = String(job.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return configuration.workDirectory + "/jobs/" + (safe.isEmpty || safe.allSatisfy { $0 == "." } ? "job" : safe)
    }

    /// Runs the job and reports it; returns its final status.
    func run() async -> JobStatus {
        let started = Date()
        let clock = ContinuousClock.now
        let timeout = job.spec.timeout ?? configuration.defaultJobTimeout
        let deadline = timeout.map { clock + .seconds($0) }
        let uploader = LogUploader(jobID: job.id, firstSequence: await firstSequence()) { [client, job] entries in
            try await client.jobs.appendLogs(job.id, entries)
        }
        uploader.start()
        // `::metric` lines go to the job's experiment run, when it has one.
        let metrics = job.spec.experiment?.runID.map { runID in
            MetricUploader(runID: runID) { [client] points in try await client.experiments.logMetrics(runID, points) }
        }
        metrics?.start()
        var results: [StepResult] = []
        var finalStatus = JobStatus.succeeded
        var reason: String?
        var exitCode: Int32 = 0

        let directory = workDirectory
        do {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            finalStatus = .failed
            reason = "cannot create the working directory \(directory): \(error.localizedDescription)"
            uploader.append(reason!, stream: .system, step: nil, level: .error, waitsForRoom: false)
        }
        if finalStatus == .succeeded {
            await report(JobUpdate(status: .running, stepResults: []))
        }

        for (index, step) in job.spec.steps.enumerated() where finalStatus == .succeeded {
            if let stopped = control.stopReason {
                (finalStatus, reason) = Self.outcome(of: stopped, timeout: timeout)
                break
            }
            let stepStart = Date()
            results.append(StepResult(name: step.name, status: .running, startedAt: stepStart))
            await report(JobUpdate(stepResults: results))
            uploader.append(
                "Running step \(index + 1)/\(job.spec.steps.count): \(step.name)", stream: .system, step: step.name, waitsForRoom: false)
            let environment = JobEnvironment.variables(
                base: configuration.environment, job: job, runnerID: runnerID, stepIndex: index, workDirectory: directory,
                inventory: inventory)
            do {
                let outcome = try await executor.run(
                    step.run, in: directory, environment: environment, deadline: deadline, control: control
                ) { stream, line in
                    uploader.append(line, stream: stream, step: step.name)
                    metrics?.record(line)
                }
                exitCode = outcome.exitStatus.code
                var result = StepResult(name: step.name, status: .succeeded, exitCode: exitCode, startedAt: stepStart, completedAt: Date())
                if let stopped = outcome.stopReason {
                    (finalStatus, reason) = Self.outcome(of: stopped, timeout: timeout)
                    result.status = finalStatus == .timedOut ? .timedOut : finalStatus == .cancelled ? .cancelled : .failed
                } else if exitCode != 0 {
                    result.status = .failed
                    finalStatus = .failed
                    reason = "step '\(step.name)' exited with code \(exitCode)"
                }
                if !outcome.isOutputComplete {
                    uploader.append(
                        "Output may be cut short: a process that left the step's process group still holds its output",
                        stream: .system, step: step.name, level: .warn, waitsForRoom: false)
                }
                uploader.append(
                    Self.describe(result, reason: result.status == .succeeded ? nil : reason), stream: .system, step: step.name,
                    level: result.status == .succeeded ? .info : .error, waitsForRoom: false)
                results[index] = result
            } catch {
                exitCode = 127
                finalStatus = .failed
                reason = "step '\(step.name)' could not start: \(error.message)"
                uploader.append(reason!, stream: .system, step: step.name, level: .error, waitsForRoom: false)
                results[index] = StepResult(name: step.name, status: .failed, exitCode: 127, startedAt: stepStart, completedAt: Date())
            }
        }
        for step in job.spec.steps.dropFirst(results.count) {
            results.append(StepResult(name: step.name, status: .skipped))
        }

        let summary = await uploader.finish(within: configuration.logUploadTimeout)
        if summary.lost > 0 {
            configuration.log("job \(job.id): \(summary.lost) output lines could not be uploaded")
        }
        if let metrics {
            let sent = await metrics.finish(within: configuration.logUploadTimeout)
            if sent.lost > 0 {
                configuration.log("job \(job.id): \(sent.lost) metric points could not be recorded in run \(metrics.runID)")
            }
        }
        await report(
            JobUpdate(
                status: finalStatus, statusReason: reason, exitCode: finalStatus == .cancelled ? nil : exitCode, stepResults: results),
            isFinal: true)
        if !configuration.keepWorkDirectories { try? FileManager.default.removeItem(atPath: directory) }
        let seconds = Date().timeIntervalSince(started)
        configuration.log("job \(job.id) \(finalStatus.rawValue) after \(String(format: "%.1f", seconds)) s")
        return finalStatus
    }

    private static func outcome(of stopped: StopReason, timeout: Int?) -> (JobStatus, String) {
        switch stopped {
        case .timedOut: (.timedOut, "timed out after \(timeout ?? 0) s")
        case .cancelled(let reason): (.cancelled, reason)
        case .runnerStopping: (.failed, "the runner agent stopped")
        }
    }

    private static func describe(_ result: StepResult, reason: String?) -> String {
        let seconds = result.duration.map { String(format: " after %.1f s", $0) } ?? ""
        switch result.status {
        case .succeeded: return "Step '\(result.name)' succeeded\(seconds)"
        default:
            return
                "Step '\(result.name)' \(result.status.rawValue)\(seconds) (exit code \(result.exitCode ?? -1))\(reason.map { ": \($0)" } ?? "")"
        }
    }

    /// Where this attempt's log lines are numbered from: after the lines of earlier attempts, which the server
    /// keeps (sequence numbers grow across a job's attempts).
    private func firstSequence() async -> Int {
        guard job.attempt > 1 else { return 1 }
        guard let page = try? await client.jobs.logPage(job.id, lines: 1) else { return 1 }
        return (page.items.compactMap(\.sequence).max() ?? 0) + 1
    }

    /// Sends `update`. Progress reports are tried once (with the client's own retries); the final report is retried
    /// until the server answers or ``RunnerAgentConfiguration/finalReportTimeout`` passes. An answer showing the
    /// job cancelled, or refusing the report because the job already ended, stops the job.
    private func report(_ update: JobUpdate, isFinal: Bool = false) async {
        let deadline = ContinuousClock.now + configuration.finalReportTimeout
        var delay = configuration.retryDelay
        while true {
            do {
                let answer = try await client.jobs.update(job.id, update)
                if !isFinal, answer.status == .cancelled || answer.cancelRequested {
                    cancel(.cancelled(answer.statusReason ?? "cancelled on the server"))
                }
                return
            } catch {
                let status = error.status ?? 0
                if (400..<500).contains(status) && status != 408 && status != 429 {
                    if !isFinal && (status == 409 || status == 403 || status == 404) {
                        cancel(.cancelled("the server no longer runs this job here (\(error.code))"))
                    }
                    if isFinal { configuration.log("job \(job.id): the server refused the final report: \(error)") }
                    return
                }
                guard isFinal, ContinuousClock.now + delay < deadline else {
                    configuration.log("job \(job.id): report failed: \(error)")
                    return
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
            }
        }
    }
}
