import AutoGitCore
import Foundation

/// The fleet's runners and jobs: the one place where a job is placed on a runner and GPUs are allocated, so a GPU
/// is never given twice.
///
/// Placement is the Core ``Scheduler``'s: every change that may let a queued job run (a job submitted, cancelled or
/// finished, a runner registered, polling, back online or reconfigured, GPUs freed) asks for a scheduling pass; the
/// pass places jobs on runners whose agents are polling, commits the assignments, and puts each job in its runner's
/// mailbox, where the waiting `jobs/request` long poll takes it at once. Changes that arrive while a pass runs are
/// covered by one more pass after it, so a burst costs a few passes, not one per change.
///
/// Every change is committed to the ``DurableStore`` before the method returns; HTTP handlers answer only after
/// that. State lives in this actor and is changed without suspending in the middle of an invariant: each method
/// mutates first, then awaits the commit of what it changed.
public actor Fleet {
    public struct Options: Sendable {
        /// How often agents are told to heartbeat, in seconds.
        public var heartbeatInterval: Double = 10
        /// Heartbeats a runner may miss before it is marked offline and its jobs re-queued.
        public var missedHeartbeatsBeforeOffline: Double = 3
        /// Samples kept per runner and metric (at one heartbeat every 10 s, 8,640 is a day).
        public var metricSamples: Int = 8_640
        /// The longest a `jobs/request` long poll waits for work, in seconds.
        public var maximumPollWait: Double = 30
        public var jobLimits = JobLimits()
        /// How the scheduler places jobs (reservations for large GPU jobs).
        public var scheduler = Scheduler.Configuration()

        public init() {}
    }

    enum Collection {
        static let runners = "runners"
        static let jobs = "jobs"
        static let runnerConfigurations = "runner-configurations"
    }

    let store: DurableStore
    let events: EventBus
    var options: Options
    let now: @Sendable () -> Date

    var runners: [String: Runner] = [:]
    /// Runner ids by name, and by fleeting instance id then provider, for registration (kept by
    /// ``save(_:)-(Runner)``). An instance id is its provider's own (a local pid and a Slurm job id may be equal), so
    /// it is looked up within its provider: see ``runnerID(ofInstance:provider:)``. A runner without a provider is
    /// filed under "" (provider names are never empty).
    var runnerIDsByName: [String: Set<String>] = [:]
    var runnerIDsByInstance: [String: [String: String]] = [:]
    var jobs: [String: Job] = [:]
    /// Job ids in submission order, for listing.
    var jobOrder: [String] = []
    /// The submission time of the newest job.
    var lastSubmission = Date.distantPast
    var queue = JobQueue()
    /// Counts by status and each runner's active jobs; kept by ``save(_:)-(Job)``.
    var index = JobIndex()
    var configurations: [String: RunnerConfigurationDocument] = [:]
    var metrics: [String: RunnerMetricHistory] = [:]
    /// Set at shutdown: long polls answer at once with no job and no pass runs.
    var isStopping = false
    /// What each runner's agent did, as `GET /v1/runners/{id}/logs` shows it.
    var runnerLogs = RunnerLogBook()

    // Hand-over of assigned jobs (Fleet+Dispatch).
    /// Assigned jobs not yet handed to their agent, per runner, in the order they were placed.
    var mailboxes: [String: [String]] = [:]
    /// When each job now in a mailbox was put there.
    var undelivered: [String: Date] = [:]
    /// When each assigned job was handed to its agent (or, after a restart, when the server came up).
    var deliveredAt: [String: Date] = [:]
    /// Cancelled jobs that their runner may still be stopping: their GPUs stay held until it confirms. By runner,
    /// then job, with the time of the cancel.
    var awaitingConfirmation: [String: [String: Date]] = [:]
    /// How many `jobs/request` calls each runner has open: a runner with one is ready for work.
    var readyPolls: [String: Int] = [:]
    /// The waits of those calls, per runner, to wake when mail comes.
    var pollers: [String: [UUID: Poller]] = [:]
    /// Polls waiting for a pass to finish, in the order of the pass they wait for.
    var passWatchers: [(pass: Int, runnerID: String, poller: UUID)] = []

    // Scheduling passes (Fleet+Scheduling).
    var passes = PassState()

    public init(store: DurableStore, events: EventBus, options: Options = Options(), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.events = events
        self.options = options
        self.now = now
        runners = store.decodedValues(in: Collection.runners, as: Runner.self)
        for runner in runners.values {
            runnerIDsByName[runner.name, default: []].insert(runner.id)
            if let instance = runner.instanceID { runnerIDsByInstance[instance, default: [:]][runner.provider ?? ""] = runner.id }
        }
        configurations = store.decodedValues(in: Collection.runnerConfigurations, as: RunnerConfigurationDocument.self)
        let loaded = store.decodedValues(in: Collection.jobs, as: Job.self)
        jobs = loaded
        jobOrder = loaded.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id)
        lastSubmission = jobOrder.last.flatMap { loaded[$0]?.createdAt } ?? .distantPast
        let startedAt = now()
        for job in jobOrder.compactMap({ loaded[$0] }) {
            index.update(from: nil, to: job)
            switch job.status {
            case .queued: queue.insert(job)
            // Whether its agent got it before the restart is unknown: its heartbeats tell (Fleet+Dispatch).
            case .assigned: deliveredAt[job.id] = startedAt
            default: break
            }
        }
        // GPUs still held by cancelled jobs: their runners have not confirmed the stop yet.
        for runner in runners.values {
            for gpu in runner.gpus {
                guard let jobID = gpu.allocatedJobID, let job = loaded[jobID], job.status.isFinal else { continue }
                awaitingConfirmation[runner.id, default: [:]][jobID] = startedAt
            }
        }
    }

    /// Applies changed settings (a `PATCH /v1/config`); they take effect with the next heartbeat, poll or submit.
    public func update(options: Options) {
        self.options = options
        requestSchedulingPass()
    }

    /// Ends every waiting long poll and makes new ones answer at once, so shutdown does not wait for them.
    public func stopPolling() {
        isStopping = true
        for runnerID in Array(pollers.keys) { wakePollers(of: runnerID) }
        passWatchers.removeAll()
    }

    // MARK: Persistence helpers

    func save(_ runner: Runner) -> StoreChange {
        let old = runners.updateValue(runner, forKey: runner.id)
        if old?.name != runner.name || old?.instanceID != runner.instanceID || old?.provider != runner.provider {
            if let old { forgetNames(of: old) }
            recordNames(of: runner)
        }
        return (try? StoreChange.put(Collection.runners, runner.id, runner)) ?? .delete(Collection.runners, runner.id)
    }

    /// Stores `job` in memory and returns its journal change. The one place a job changes, so the indexes follow.
    func save(_ job: Job) -> StoreChange {
        let old = jobs.updateValue(job, forKey: job.id)
        if old == nil { jobOrder.append(job.id) }
        index.update(from: old, to: job)
        if job.status != .assigned {
            deliveredAt[job.id] = nil
            undelivered[job.id] = nil
        }
        return (try? StoreChange.put(Collection.jobs, job.id, job)) ?? .delete(Collection.jobs, job.id)
    }

    /// Forgets a runner (it was deleted).
    func remove(runner id: String) {
        if let old = runners.removeValue(forKey: id) { forgetNames(of: old) }
    }

    /// The runner of fleeting instance `id` of `provider`. Without a provider (an agent that names only its
    /// instance), the one runner with that instance id, or none when providers share the id.
    func runnerID(ofInstance id: String, provider: String?) -> String? {
        guard let byProvider = runnerIDsByInstance[id] else { return nil }
        guard let provider else { return byProvider.count == 1 ? byProvider.values.first : nil }
        return byProvider[provider] ?? byProvider[""]
    }

    private func recordNames(of runner: Runner) {
        runnerIDsByName[runner.name, default: []].insert(runner.id)
        if let instance = runner.instanceID { runnerIDsByInstance[instance, default: [:]][runner.provider ?? ""] = runner.id }
    }

    private func forgetNames(of runner: Runner) {
        runnerIDsByName[runner.name]?.remove(runner.id)
        if runnerIDsByName[runner.name]?.isEmpty == true { runnerIDsByName[runner.name] = nil }
        guard let instance = runner.instanceID, runnerIDsByInstance[instance]?[runner.provider ?? ""] == runner.id else { return }
        runnerIDsByInstance[instance]?[runner.provider ?? ""] = nil
        if runnerIDsByInstance[instance]?.isEmpty == true { runnerIDsByInstance[instance] = nil }
    }

    func commit(_ changes: [StoreChange]) async throws(ServerError) {
        try await store.commit(changes)
    }

    /// Commits `changes` together with the placements of a pass run alongside them (``passAlongside()``), then
    /// hands the placed jobs over.
    func commit(_ changes: [StoreChange], placing pass: PassOutcome?) async throws(ServerError) {
        guard let pass else { return try await store.commit(changes) }
        do {
            try await store.commit(changes + pass.changes)
        } catch {
            finish(pass, isCommitted: false)
            throw error
        }
        finish(pass, isCommitted: true)
    }
}
