import AutoGitCore
import Foundation

/// A `jobs/request` long poll waiting for its runner's mailbox.
struct Poller {
    var continuation: CheckedContinuation<Void, Never>
    /// Ends the wait at its deadline; cancelled when the poll is woken sooner.
    var timer: Task<Void, Never>?
}

extension Fleet {
    /// A runner's agent asks for work: a job already assigned to it comes at once; otherwise the poll waits, up to
    /// `wait` seconds, for a scheduling pass to put one in the runner's mailbox. Nil when none comes, when the
    /// runner takes no jobs (draining, stopped, offline) or when the server stops.
    ///
    /// While it waits the runner is *ready*: passes offer its free slots. Even with `wait` 0 the poll sees the
    /// outcome of one pass that knows it is ready.
    public func requestJob(for runnerID: String, wait: Double) async throws(ServerError) -> Job? {
        let seconds = min(max(wait, 0), options.maximumPollWait)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        _ = try runner(runnerID)
        // Ready from here to the answer, also between waits, so no pass in between passes the runner over.
        readyPolls[runnerID, default: 0] += 1
        var isReady = true
        func leave() {
            guard isReady else { return }
            isReady = false
            readyPolls[runnerID, default: 1] -= 1
            if readyPolls[runnerID] == 0 { readyPolls[runnerID] = nil }
        }
        defer { leave() }
        var isFirstWait = true
        while true {
            let runner = try runner(runnerID)
            guard !isStopping else { return nil }
            if Task.isCancelled {
                // The agent hung up (it drains, or it is gone): jobs placed for it can run elsewhere, unless another
                // poll of the runner is still open.
                leave()
                if readyPolls[runnerID] == nil {
                    let changes = takeBackUndelivered(of: runnerID, reason: "its runner stopped asking for work")
                    if !changes.isEmpty { try? await commit(changes) }
                }
                return nil
            }
            if let job = takeDelivery(for: runnerID) { return job }
            guard runner.status.acceptsJobs else { return nil }
            if isFirstWait {
                isFirstWait = false
                if let pass = requestPass(forPollOf: runnerID) {
                    // The pass sees this poll once it waits (it starts after this call suspends).
                    await waitForDelivery(runnerID, until: max(deadline, .now + .seconds(5)), pass: pass)
                    continue
                }
            }
            if ContinuousClock.now >= deadline { return nil }
            await waitForDelivery(runnerID, until: deadline, pass: nil)
        }
    }

    /// The first job in `runnerID`'s mailbox that is still assigned to it, marked handed over; nil when none.
    func takeDelivery(for runnerID: String) -> Job? {
        while var mailbox = mailboxes[runnerID], !mailbox.isEmpty {
            let id = mailbox.removeFirst()
            mailboxes[runnerID] = mailbox.isEmpty ? nil : mailbox
            guard undelivered.removeValue(forKey: id) != nil, let job = jobs[id], job.status == .assigned, job.runnerID == runnerID
            else { continue }
            deliveredAt[id] = now()
            return job
        }
        return nil
    }

    /// Suspends until a job is mailed to `runnerID`, pass number `pass` finishes (when given), `deadline` passes,
    /// the runner changes, or the task is cancelled.
    private func waitForDelivery(_ runnerID: String, until deadline: ContinuousClock.Instant, pass: Int?) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled || isStopping || pass.map({ $0 <= passes.finished }) == true {
                    continuation.resume()
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    if Task.isCancelled { return }
                    await self?.resumePoller(id, of: runnerID)
                }
                pollers[runnerID, default: [:]][id] = Poller(continuation: continuation, timer: timer)
                if let pass {
                    // In pass order, so that waking stops at the first pass not finished.
                    let position = passWatchers.lastIndex { $0.pass <= pass }.map { $0 + 1 } ?? 0
                    passWatchers.insert((pass, runnerID, id), at: position)
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.resumePoller(id, of: runnerID) }
        }
    }

    private func resumePoller(_ id: UUID, of runnerID: String) {
        guard let poller = pollers[runnerID]?.removeValue(forKey: id) else { return }
        if pollers[runnerID]?.isEmpty == true { pollers[runnerID] = nil }
        poller.timer?.cancel()
        poller.continuation.resume()
    }

    /// Wakes every poll of `runnerID`: a job is in its mailbox, or the runner changed (it stopped taking jobs, it
    /// was removed). Each poll looks again.
    func wakePollers(of runnerID: String) {
        guard let waiting = pollers.removeValue(forKey: runnerID) else { return }
        for poller in waiting.values {
            poller.timer?.cancel()
            poller.continuation.resume()
        }
    }

    /// Wakes the polls that waited for a pass that has now finished.
    func wakePassWatchers() {
        var finished = 0
        for watcher in passWatchers {
            guard watcher.pass <= passes.finished else { break }
            finished += 1
            resumePoller(watcher.poller, of: watcher.runnerID)
        }
        passWatchers.removeFirst(finished)
    }

    // MARK: Jobs that did not reach their agent

    /// Checks a heartbeat against what the server thinks `runnerID` holds, where the agent has had a whole
    /// heartbeat (since `previousHeartbeat`) to list it: an assigned job its agent does not run was lost on the way
    /// (a poll answer that never arrived) and goes back in the mailbox; a cancelled job the agent no longer runs
    /// gives its GPUs back.
    func reconcile(_ runnerID: String, running listed: Set<String>, previousHeartbeat: Date?) -> [StoreChange] {
        guard let previousHeartbeat else { return [] }
        var changes: [StoreChange] = []
        for id in index.activeJobIDs(of: runnerID).sorted() where !listed.contains(id) {
            guard let job = jobs[id], job.status == .assigned, let handedOut = deliveredAt[id], handedOut < previousHeartbeat else {
                continue
            }
            deliveredAt[id] = nil
            mailboxes[runnerID, default: []].append(id)
            undelivered[id] = now()
            logRunner(runnerID, "Job \(id) offered again: the agent does not hold it", level: .warn, context: ["job_id": .string(id)])
        }
        if mailboxes[runnerID] != nil { wakePollers(of: runnerID) }
        for (id, cancelledAt) in awaitingConfirmation[runnerID] ?? [:] where cancelledAt < previousHeartbeat && !listed.contains(id) {
            awaitingConfirmation[runnerID]?[id] = nil
            if let job = jobs[id] { changes += releaseGPUs(of: job) }
        }
        if awaitingConfirmation[runnerID]?.isEmpty == true { awaitingConfirmation[runnerID] = nil }
        if !changes.isEmpty { requestSchedulingPass() }
        return changes
    }

    /// Takes the jobs in `runnerID`'s mailbox back into the queue: they never reached the agent, so no attempt is
    /// used. For a runner that stops taking jobs, or whose agent stopped asking.
    func takeBackUndelivered(of runnerID: String, reason: String) -> [StoreChange] {
        guard let mailbox = mailboxes.removeValue(forKey: runnerID) else { return [] }
        var changes: [StoreChange] = []
        for id in mailbox {
            guard undelivered[id] != nil, var job = jobs[id], job.status == .assigned, job.runnerID == runnerID else { continue }
            changes += releaseGPUs(of: job)
            job.status = .queued
            job.statusReason = reason
            job.runnerID = nil
            job.gpuIndices = []
            job.assignedAt = nil
            changes.append(save(job))
            queue.insert(job)
            publishJobStatus(job, from: .assigned)
            logRunner(runnerID, "Job \(id) taken back into the queue: \(reason)", level: .warn, context: ["job_id": .string(id)])
        }
        if let change = refreshActivity(of: runnerID) { changes.append(change) }
        if !changes.isEmpty { requestSchedulingPass() }
        return changes
    }

    /// Mailboxes whose agent has not asked for longer than a heartbeat interval (its polls fail, or it is
    /// draining) give their jobs back to the queue, for runners that ask. Called by ``sweep()``.
    func reclaimUnclaimedMail() -> [StoreChange] {
        let limit = options.heartbeatInterval
        let timestamp = now()
        var stale: Set<String> = []
        for (id, since) in undelivered where timestamp.timeIntervalSince(since) > limit {
            if let runnerID = jobs[id]?.runnerID, readyPolls[runnerID] == nil { stale.insert(runnerID) }
        }
        return stale.sorted().flatMap { takeBackUndelivered(of: $0, reason: "its runner did not ask for it") }
    }
}
