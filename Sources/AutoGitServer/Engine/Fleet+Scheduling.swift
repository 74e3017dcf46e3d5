import AutoGitCore
import Foundation

/// What one scheduling pass did: its number, the journal changes, and the jobs it placed (job, runner).
struct PassOutcome {
    var number: Int
    var changes: [StoreChange]
    var placed: [(jobID: String, runnerID: String)]
    /// Run by ``Fleet/passAlongside()`` rather than by the pass task.
    var isAlongside = false
}

/// Where the engine's scheduling passes stand.
struct PassState {
    /// A change arrived that the last pass did not see.
    var isRequested = false
    /// The task running passes, while one runs.
    var task: Task<Void, Never>?
    /// Passes run alongside a caller's change whose commit is in flight; while one is, changes go to the task.
    var alongside = 0
    /// Passes started since the engine started; a poll waits for the next one to start.
    var started = 0
    /// Passes begun whose outcome is not handed over yet. A pass alongside a change and one of the task can be in
    /// flight together and end in either order.
    var inFlight: Set<Int> = []
    /// Grows with every change that may let a job run. A runner that was ready in a pass that saw this version
    /// has nothing to gain from another pass until it grows.
    var version = 0
    /// The version and the number of the last pass each runner was ready in.
    var seenReady: [String: (version: Int, pass: Int)] = [:]

    /// Every pass up to this number has finished: its jobs are in their mailboxes (or it placed none).
    var finished: Int { (inFlight.min() ?? started + 1) - 1 }
}

extension Fleet {
    /// Something changed that may let a queued job run: a pass runs as soon as the actor is free. Calls that come
    /// while a pass runs are covered together by one more pass after it.
    func requestSchedulingPass() {
        passes.version += 1
        startPasses()
    }

    /// A runner's agent polls: a pass runs unless the last one already saw it ready and nothing changed since.
    /// Returns the number of the pass that will see it, or nil when none is needed.
    func requestPass(forPollOf runnerID: String) -> Int? {
        if let seen = passes.seenReady[runnerID], seen.version == passes.version {
            // A pass that saw it ready may still be committing what it placed for it: the poll waits for that one.
            return seen.pass > passes.finished ? seen.pass : nil
        }
        startPasses()
        return passes.started + 1
    }

    private func startPasses() {
        passes.isRequested = true
        guard passes.task == nil, !isStopping else { return }
        passes.task = Task { await self.runSchedulingPasses() }
    }

    /// Runs passes until no change is left unseen: each places what it can, commits, then hands the jobs over.
    private func runSchedulingPasses() async {
        while passes.isRequested && !isStopping {
            passes.isRequested = false
            let outcome = beginPass()
            var isCommitted = true
            if !outcome.changes.isEmpty {
                do {
                    try await commit(outcome.changes)
                } catch {
                    // The store refuses every write from now on (and /v1/health says so); jobs it did not keep are
                    // not handed out.
                    isCommitted = false
                }
            }
            finish(outcome, isCommitted: isCommitted)
        }
        passes.task = nil
    }

    /// For a caller that is about to commit a change anyway (a submission, a job's end, a cancel): when no pass is
    /// running, runs one now, so that its placements share the caller's journal write; the caller commits
    /// `outcome.changes` after its own and then calls ``finish(_:isCommitted:)``. When a pass is running, asks for
    /// another (which covers the change) and returns nil.
    func passAlongside() -> PassOutcome? {
        guard passes.task == nil, passes.alongside == 0, !isStopping else {
            requestSchedulingPass()
            return nil
        }
        passes.version += 1
        passes.alongside += 1
        var outcome = beginPass()
        outcome.isAlongside = true
        return outcome
    }

    private func beginPass() -> PassOutcome {
        passes.started += 1
        passes.inFlight.insert(passes.started)
        let (changes, placed) = schedulingPass()
        return PassOutcome(number: passes.started, changes: changes, placed: placed)
    }

    /// After a pass's changes are on disk: each placed job goes to its runner's mailbox and the runner's waiting
    /// poll is woken; polls that waited for this pass look again. A job is never handed out before it is durable.
    func finish(_ outcome: PassOutcome, isCommitted: Bool) {
        if isCommitted {
            var mailed = Set<String>()
            for (jobID, runnerID) in outcome.placed {
                guard undelivered[jobID] != nil, let job = jobs[jobID], job.status == .assigned, job.runnerID == runnerID else {
                    continue
                }
                mailboxes[runnerID, default: []].append(jobID)
                mailed.insert(runnerID)
            }
            for runnerID in mailed.sorted() { wakePollers(of: runnerID) }
        }
        if outcome.isAlongside { passes.alongside -= 1 }
        passes.inFlight.remove(outcome.number)
        wakePassWatchers()
    }

    /// One pass: the Core scheduler places the front of each queue lane on the runners that can take work now.
    ///
    /// Runners whose agents are polling offer their free slots; the others are passed with no slot, so a large
    /// GPU job can still hold GPUs there (a reservation) while they are busy. Placed jobs become `assigned` with
    /// their GPUs, in memory at once; the caller commits the changes and then wakes the runners mailed.
    func schedulingPass() -> (changes: [StoreChange], placed: [(jobID: String, runnerID: String)]) {
        guard queue.count > 0 else { return ([], []) }
        var offers: [ReadyRunner] = []
        for runnerID in readyPolls.keys {
            guard let runner = runners[runnerID], runner.status.acceptsJobs else { continue }
            passes.seenReady[runnerID] = (passes.version, passes.started)
            let free = max(0, max(1, runner.maxConcurrentJobs ?? 1) - index.activeCount(of: runnerID))
            if free > 0 { offers.append(ReadyRunner(runner: runner, freeSlots: free)) }
        }
        guard !offers.isEmpty else { return ([], []) }
        // Each lane gives as many jobs as the ready runners that match it have slots; a lane no ready runner matches
        // gives none, so a backlog that cannot run now costs nothing.
        let window = queue.window { requirements, length in
            var slots = 0
            for offer in offers where offer.matches(requirements) {
                slots += offer.freeSlots
                if slots >= length { break }
            }
            return min(slots, length)
        }
        guard !window.isEmpty else { return ([], []) }
        var capacities: [RunnerCapacity] = []
        capacities.reserveCapacity(runners.count)
        for runner in runners.values where runner.status.acceptsJobs {
            var capacity = RunnerCapacity(runner: runner, runningJobs: index.activeCount(of: runner.id))
            if readyPolls[runner.id] == nil { capacity.freeSlots = 0 }
            capacities.append(capacity)
        }
        let plan = Scheduler(configuration: options.scheduler).place(window, on: capacities)
        return apply(plan.assignments)
    }

    /// Makes each assignment real in memory: the job `assigned` with its GPUs, the GPUs marked. The job reaches the
    /// runner's mailbox once the changes are committed (``finish(_:isCommitted:)``).
    private func apply(_ assignments: [JobAssignment]) -> (changes: [StoreChange], placed: [(jobID: String, runnerID: String)]) {
        var changes: [StoreChange] = []
        var changed: [String: Runner] = [:]
        var placed: [(jobID: String, runnerID: String)] = []
        let timestamp = now()
        for assignment in assignments {
            guard var job = jobs[assignment.jobID], job.status == .queued,
                var runner = changed[assignment.runnerID] ?? runners[assignment.runnerID]
            else { continue }
            queue.remove(job)
            job.status = .assigned
            job.runnerID = runner.id
            job.gpuIndices = assignment.gpuIndices
            job.assignedAt = timestamp
            job.statusReason = nil
            changes.append(save(job))
            for index in assignment.gpuIndices {
                if let position = runner.gpus.firstIndex(where: { $0.index == index }) { runner.gpus[position].allocatedJobID = job.id }
            }
            changed[runner.id] = runner
            placed.append((job.id, runner.id))
            undelivered[job.id] = timestamp
            publishJobStatus(job, from: .queued)
            logRunner(
                runner.id, "Job assigned: \(job.id) (\(job.name))" + (job.gpuIndices.isEmpty ? "" : " with GPUs \(job.gpuIndices)"),
                context: ["job_id": .string(job.id)])
            if !job.gpuIndices.isEmpty {
                events.publish(
                    .gpuAllocated,
                    [
                        "job_id": .string(job.id), "runner_id": .string(runner.id),
                        "gpu_ids": .array(job.gpuIndices.map { .string("\(runner.id):gpu\($0)") }),
                        "gpu_indices": .array(job.gpuIndices.map { .number(Double($0)) }),
                    ],
                    at: timestamp)
            }
        }
        for runner in changed.values {
            changes.append(save(runner))
            if let change = refreshActivity(of: runner.id) { changes.append(change) }
        }
        return (changes, placed)
    }
}

/// A runner whose agent is polling, with its free slots and lower-cased labels, for sizing a pass's lane windows.
private final class ReadyRunner {
    let id: String
    let freeSlots: Int
    let labels: Set<String>
    let architecture: Architecture?
    let gpus: [GPU]

    init(runner: Runner, freeSlots: Int) {
        id = runner.id
        self.freeSlots = freeSlots
        labels = Set(runner.labels.map { $0.lowercased() })
        architecture = runner.architecture
        gpus = runner.gpus
    }

    /// What `JobRequirements.isSatisfied(by:)` says, with the labels prepared once per pass.
    func matches(_ requirements: JobRequirements) -> Bool {
        if let pinned = requirements.runnerID, pinned != id { return false }
        guard requirements.labels.allSatisfy({ labels.contains($0.lowercased()) }) else { return false }
        if let wanted = requirements.architecture, architecture != wanted { return false }
        guard let gpu = requirements.gpu, gpu.count > 0 else { return true }
        return gpus.lazy.filter { $0.health == .healthy && gpu.accepts($0) }.count >= gpu.count
    }
}
