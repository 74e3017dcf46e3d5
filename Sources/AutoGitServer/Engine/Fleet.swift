import AutoGitCore
import Foundation

/// The fleet's runners and jobs: the one place where a job is placed on a runner and GPUs are allocated, so a GPU
/// is never given twice.
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
    var jobs: [String: Job] = [:]
    /// Job ids in submission order, for listing.
    var jobOrder: [String] = []
    var queue = JobQueue()
    var configurations: [String: RunnerConfigurationDocument] = [:]
    var metrics: [String: RunnerMetricHistory] = [:]
    var pollWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// Set at shutdown: long polls answer at once with no job.
    var isStopping = false
    /// What each runner's agent did, as `GET /v1/runners/{id}/logs` shows it.
    var runnerLogs = RunnerLogBook()

    public init(store: DurableStore, events: EventBus, options: Options = Options(), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.events = events
        self.options = options
        self.now = now
        runners = store.decodedValues(in: Collection.runners, as: Runner.self)
        configurations = store.decodedValues(in: Collection.runnerConfigurations, as: RunnerConfigurationDocument.self)
        let loaded = store.decodedValues(in: Collection.jobs, as: Job.self)
        jobs = loaded
        jobOrder = loaded.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id)
        for job in jobOrder.compactMap({ loaded[$0] }) where job.status == .queued {
            queue.insert(job)
        }
    }

    /// Applies changed settings (a `PATCH /v1/config`); they take effect with the next heartbeat, poll or submit.
    public func update(options: Options) {
        self.options = options
        wakePollers()
    }

    /// Ends every waiting long poll and makes new ones answer at once, so shutdown does not wait for them.
    public func stopPolling() {
        isStopping = true
        wakePollers()
    }

    // MARK: Persistence helpers

    func save(_ runner: Runner) -> StoreChange {
        runners[runner.id] = runner
        return (try? StoreChange.put(Collection.runners, runner.id, runner)) ?? .delete(Collection.runners, runner.id)
    }

    func save(_ job: Job) -> StoreChange {
        if jobs.updateValue(job, forKey: job.id) == nil { jobOrder.append(job.id) }
        return (try? StoreChange.put(Collection.jobs, job.id, job)) ?? .delete(Collection.jobs, job.id)
    }

    func commit(_ changes: [StoreChange]) async throws(ServerError) {
        try await store.commit(changes)
    }

    // MARK: Long-poll wake-ups

    /// Wakes every runner waiting in `jobs/request`, after a job was queued or GPUs were freed.
    func wakePollers() {
        let waiters = pollWaiters
        pollWaiters = [:]
        for waiter in waiters.values { waiter.resume() }
    }

    /// Suspends until ``wakePollers()`` or `deadline`, whichever comes first; returns at once when cancelled.
    func waitForWork(until deadline: ContinuousClock.Instant) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled {
                    continuation.resume()
                    return
                }
                pollWaiters[id] = continuation
                Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    await self?.resumeWaiter(id)
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.resumeWaiter(id) }
        }
    }

    private func resumeWaiter(_ id: UUID) {
        pollWaiters.removeValue(forKey: id)?.resume()
    }
}
