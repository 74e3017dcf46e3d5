import AutoGitCore
import Foundation

/// Filters of `GET /v1/jobs`; the newest jobs come first.
public struct JobQuery: Sendable {
    public var status: JobStatus?
    /// Jobs in any of these statuses (with ``status``, in that one too).
    public var statuses: [JobStatus] = []
    public var runnerID: String?
    public var label: String?
    /// Jobs requiring every one of these runner labels.
    public var labels: [String] = []
    public var limit = 50
    public var offset = 0

    public init() {}

    func matches(_ job: Job) -> Bool {
        let wanted = statuses + (status.map { [$0] } ?? [])
        if !wanted.isEmpty, !wanted.contains(job.status) { return false }
        if let runnerID, job.runnerID != runnerID { return false }
        let required = labels + (label.map { [$0] } ?? [])
        return required.allSatisfy(job.spec.requirements.labels.contains)
    }
}

extension Fleet {
    /// The job with `id`, or a 404 `JOB_NOT_FOUND`.
    public func job(_ id: String) throws(ServerError) -> Job {
        guard let job = jobs[id] else {
            throw ServerError(.jobNotFound, status: 404, "Job '\(id)' not found", details: ["job_id": .string(id)])
        }
        return job
    }

    public func listJobs(_ query: JobQuery) -> Page<Job> {
        var matching: [Job] = []
        for id in jobOrder.reversed() {
            if let job = jobs[id], query.matches(job) { matching.append(job) }
        }
        return Page(slicing: matching, limit: query.limit, offset: query.offset)
    }

    public var queueDepth: Int { queue.count }

    public func jobCounts() -> [JobStatus: Int] {
        index.countsByStatus
    }

    /// Validates and queues a job; returns once it is durable. A 422 names the offending field.
    public func submit(_ spec: JobSpec) async throws(ServerError) -> Job {
        do {
            try spec.validate(limits: options.jobLimits)
        } catch {
            throw ServerError(
                .validationFailed, status: 422, error.message, details: error.field.map { ["field": .string($0)] })
        }
        if let pinned = spec.requirements.runnerID { _ = try runner(pinned) }
        // Submission times strictly increase, so jobs of equal priority are placed first come, first served even
        // when a clock is coarse (the scheduler orders by priority, then submission time, then id).
        let createdAt = max(now(), lastSubmission.addingTimeInterval(0.000_001))
        lastSubmission = createdAt
        let job = Job(id: Self.newID("job-"), spec: spec, createdAt: createdAt)
        let change = save(job)
        queue.insert(job)
        publishJobStatus(job, from: nil)
        // An idle engine places the job in the same journal write as the submission.
        try await commit([change], placing: passAlongside())
        return job
    }

    /// Cancels a job. A queued job, or one assigned but not yet handed to its agent, is cancelled at once; one its
    /// agent holds is marked cancelled and the runner is told to stop it (in the reply to its next heartbeat, job
    /// update or poll). 409 when already final.
    public func cancel(_ id: String, reason: String? = nil) async throws(ServerError) -> Job {
        var job = try job(id)
        guard !job.status.isFinal else {
            throw ServerError(
                .invalidStateTransition, status: 409, "Job '\(id)' already \(job.status); it cannot be cancelled",
                details: ["job_id": .string(id), "status": .string(job.status.rawValue)])
        }
        let old = job.status
        if old == .queued { queue.remove(job) }
        let agentHoldsIt = old == .running || (old == .assigned && undelivered[id] == nil)
        job.status = .cancelled
        job.statusReason = reason ?? "cancelled by user"
        job.cancelRequested = agentHoldsIt
        job.completedAt = now()
        var changes: [StoreChange] = []
        if let runnerID = job.runnerID {
            if agentHoldsIt {
                // GPUs stay held until the runner confirms the process is gone (its final update, or a heartbeat
                // without the job), so they are not given to another job while the old one may still run.
                awaitingConfirmation[runnerID, default: [:]][id] = now()
            } else {
                changes += releaseGPUs(of: job)
            }
        }
        changes.append(save(job))
        if let change = job.runnerID.flatMap(refreshActivity(of:)) { changes.append(change) }
        publishJobStatus(job, from: old)
        try await commit(changes, placing: job.runnerID != nil ? passAlongside() : nil)
        return job
    }

    /// A runner reports progress on a job it holds: status, step results, exit code. Only the runner the job is
    /// assigned to may do so (403 otherwise). Reports on a job already cancelled are recorded without reviving it.
    public func updateJob(_ id: String, from runnerID: String?, _ update: JobUpdate) async throws(ServerError) -> Job {
        var job = try job(id)
        if let runnerID, job.runnerID != runnerID {
            throw ServerError(
                .authorizationFailed, status: 403, "Job '\(id)' is not assigned to runner '\(runnerID)'",
                details: ["job_id": .string(id), "runner_id": .string(runnerID)])
        }
        let old = job.status
        if let results = update.stepResults { job.stepResults = results }
        if let exitCode = update.exitCode { job.exitCode = exitCode }
        var changes: [StoreChange] = []
        if let status = update.status, status != old {
            switch (old, status) {
            case (.assigned, .running):
                job.status = .running
                job.startedAt = job.startedAt ?? now()
            case (.assigned, _), (.running, _):
                guard status.isFinal else {
                    throw ServerError(
                        .invalidStateTransition, status: 409, "Job '\(id)' cannot go from \(old) to \(status)",
                        details: ["job_id": .string(id), "status": .string(old.rawValue)])
                }
                job.status = status
                job.statusReason = update.statusReason ?? job.statusReason
                job.completedAt = now()
            case (let final, _) where final.isFinal:
                // The runner confirms a job the server had already ended (a cancel); keep the server's verdict.
                break
            default:
                throw ServerError(
                    .invalidStateTransition, status: 409, "Job '\(id)' cannot go from \(old) to \(status)",
                    details: ["job_id": .string(id), "status": .string(old.rawValue)])
            }
        }
        let ended = (update.status?.isFinal ?? false) || job.status.isFinal
        if let status = update.status, status.isFinal, let runner = runnerID ?? job.runnerID ?? jobs[id]?.runnerID {
            logRunner(
                runner, "Job \(status): \(id)" + (update.exitCode.map { " (exit code \($0))" } ?? ""),
                level: status == .succeeded || status == .cancelled ? .info : .warn, context: ["job_id": .string(id)])
        }
        let holder = runnerID ?? job.runnerID
        if ended {
            changes += releaseGPUs(of: job)
            if let holder { awaitingConfirmation[holder]?[id] = nil }
            recordStatistics(of: job, for: holder)
            retryIfAllowed(&job)
        }
        changes.append(save(job))
        if let holder, let change = refreshActivity(of: holder) { changes.append(change) }
        publishJobStatus(job, from: old)
        // The freed slot and GPUs are offered in the same journal write as the report, when the engine is idle.
        try await commit(changes, placing: ended ? passAlongside() : nil)
        return job
    }

    /// Puts a failed or timed-out job back in the queue when it has retries left (`attempt` counts from 1; a job
    /// runs at most `retry_count + 1` times).
    private func retryIfAllowed(_ job: inout Job) {
        guard job.status == .failed || job.status == .timedOut, job.attempt <= job.spec.retryCount else { return }
        let reason = "attempt \(job.attempt) \(job.status); retrying"
        startNextAttempt(of: &job, reason: reason)
    }

    /// Makes `job` queued again for its next attempt: the last one is kept in `previous_attempts` (how it ended
    /// and where, for people and for the cost of its run), and cleared from the job's own fields.
    private func startNextAttempt(of job: inout Job, reason: String) {
        let runner = job.runnerID.flatMap { runners[$0] }
        job.previousAttempts.append(
            JobAttempt(
                attempt: job.attempt, status: job.status == .timedOut ? .timedOut : .failed, reason: reason, runnerID: job.runnerID,
                provider: runner?.provider, offerID: runner?.metadata["offer_id"]?.stringValue, gpuIndices: job.gpuIndices,
                exitCode: job.exitCode, startedAt: job.startedAt, completedAt: job.completedAt ?? now()))
        job.attempt += 1
        job.status = .queued
        job.statusReason = reason
        job.runnerID = nil
        job.gpuIndices = []
        job.exitCode = nil
        job.stepResults = []
        job.assignedAt = nil
        job.startedAt = nil
        job.completedAt = nil
        queue.insert(job)
    }

    func releaseGPUs(of job: Job) -> [StoreChange] {
        guard let runnerID = job.runnerID, var runner = runners[runnerID] else { return [] }
        var changed = false
        for index in runner.gpus.indices where runner.gpus[index].allocatedJobID == job.id {
            runner.gpus[index].allocatedJobID = nil
            changed = true
        }
        return changed ? [save(runner)] : []
    }

    private func recordStatistics(of job: Job, for runnerID: String?) {
        guard let runnerID, var runner = runners[runnerID] else { return }
        var statistics = runner.statistics ?? RunnerStatistics()
        let previous = Double(statistics.totalJobsExecuted)
        statistics.totalJobsExecuted += 1
        if job.status == .succeeded { statistics.successfulJobs += 1 } else { statistics.failedJobs += 1 }
        if let duration = job.duration {
            statistics.averageExecutionTime = ((statistics.averageExecutionTime ?? 0) * previous + duration) / (previous + 1)
        }
        runner.statistics = statistics
        runners[runnerID] = runner
    }

    /// Takes every job assigned to or running on `runnerID` back (the runner went away or was stopped). A job that
    /// had not started (still in the mailbox, or handed over without the agent reporting it running: an agent
    /// reports that before the first step) returns to the queue as it was; a running one used an attempt: it is
    /// queued for the next when `retry_count` allows, and `failed` otherwise.
    func requeueJobs(of runnerID: String, reason: String) -> [StoreChange] {
        var changes = takeBackUndelivered(of: runnerID, reason: reason)
        let active = index.activeJobIDs(of: runnerID).compactMap { jobs[$0] }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        for var job in active {
            let old = job.status
            changes += releaseGPUs(of: job)
            if job.status == .assigned {
                job.status = .queued
                job.statusReason = "\(reason) before the job started"
                job.runnerID = nil
                job.gpuIndices = []
                job.assignedAt = nil
                queue.insert(job)
                logRunner(
                    runnerID, "Job \(job.id) taken back into the queue: \(reason)", level: .warn, context: ["job_id": .string(job.id)])
            } else if job.attempt <= job.spec.retryCount {
                startNextAttempt(of: &job, reason: "attempt \(job.attempt) ended: \(reason); retrying")
                logRunner(runnerID, "Job \(job.id) queued again: \(reason)", level: .warn, context: ["job_id": .string(job.id)])
            } else {
                job.status = .failed
                job.statusReason = "\(reason); no retries left"
                job.completedAt = now()
                logRunner(runnerID, "Job \(job.id) failed: \(reason)", level: .warn, context: ["job_id": .string(job.id)])
            }
            changes.append(save(job))
            publishJobStatus(job, from: old)
        }
        // Cancelled jobs whose runner never confirmed still hold GPUs; the runner is gone, so free them.
        for id in (awaitingConfirmation.removeValue(forKey: runnerID) ?? [:]).keys.sorted() {
            if let job = jobs[id] { changes += releaseGPUs(of: job) }
        }
        if let change = refreshActivity(of: runnerID) { changes.append(change) }
        requestSchedulingPass()
        return changes
    }

    func publishJobStatus(_ job: Job, from old: JobStatus?) {
        guard old != job.status else { return }
        var payload: [String: JSONValue] = [
            "job_id": .string(job.id), "new_status": .string(job.status.rawValue), "name": .string(job.name),
        ]
        if let old { payload["old_status"] = .string(old.rawValue) }
        if let runnerID = job.runnerID { payload["runner_id"] = .string(runnerID) }
        if let exitCode = job.exitCode { payload["exit_code"] = .number(Double(exitCode)) }
        events.publish(.jobStatusChanged, .object(payload), at: now())
    }
}
