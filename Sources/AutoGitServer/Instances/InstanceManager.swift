import AutoGitCore
import Foundation

/// The engine of model-serving instances: named, supervised processes with health probes, logs, restart
/// policies, on-demand start through the proxy, an idle stop, a limit on how many run (least recently used
/// evicted), and definitions that survive a server restart.
///
/// Every method that changes an instance is durable when it returns (the store commits first). Status changes go
/// to the ``EventBus`` as `instance_status_changed` and to the optional callback. Call ``recover()`` once after
/// creating the manager, before serving requests, and ``shutdown(timeout:)`` when the server stops.
///
/// Processes run as `/bin/sh` in `<directory>/<name>/work`, each in its own process group; their stdout and
/// stderr go to rotating files in `<directory>/<name>/logs`. See Docs/instances.md.
public actor InstanceManager {
    /// In force now; ``update(settings:)`` changes the port range and the running limit while the server runs.
    public internal(set) var configuration: Configuration
    let store: DurableStore
    let gpuAllocator: any InstanceGPUAllocator
    private let events: EventBus?
    private let onStatusChange: (@Sendable (InstanceStatusChange) -> Void)?

    /// One instance and its supervision state.
    struct Entry {
        var instance: Instance
        var portAllocated: Bool
        var process: InstanceProcess?
        /// Changes whenever a new owner takes over the instance's lifecycle (a start, a stop, a failure being
        /// handled); tasks and callbacks of an older generation find out and stand down.
        var generation = 0
        /// The supervisor and exit watcher of the current generation.
        var tasks: [Task<Void, Never>] = []
        let activity: InstanceActivity
        let log: InstanceLog
        /// Consecutive restarts since the instance last ran stably: the exponent of the backoff.
        var backoffLevel = 0
        var runningSince: ContinuousClock.Instant?
        var cpuSample: CPUSample?
        var gpu: InstanceGPUAllocation?
        var resumeOnStart = false
        /// The process recorded in the store when the manager opened it, until ``recover()`` deals with it.
        var recordedProcess: InstanceRecord.Process?
    }

    struct CPUSample {
        var ticks: UInt64
        var at: ContinuousClock.Instant
        var percent: Double
    }

    var entries: [String: Entry] = [:]
    var ports: InstancePortAllocator
    var isShutDown = false
    var isAbandoned = false
    /// Every process group this manager started, for tests that must leave no process behind.
    var spawnedProcessGroups: Set<Int32> = []

    // Persistence: changes are coalesced and committed by one writer at a time, so the store always ends with
    // the latest state of each instance whatever order the callers' awaits resume in.
    private var dirty: Set<String> = []
    private var writeRequested = 0
    private var isWriting = false
    private var writeWaiters: [(ticket: Int, continuation: CheckedContinuation<ServerError?, Never>)] = []

    /// Opens the instances kept in `store` (collection `instances`). Their processes are not touched until
    /// ``recover()``.
    ///
    /// - Parameters:
    ///   - gpuAllocator: where GPU requests are placed; the server passes the fleet's, so instances and jobs never
    ///     share a GPU.
    ///   - events: receives `instance_status_changed` for every transition.
    ///   - onStatusChange: called for every transition too (after `events`), on the manager's executor: keep it short.
    public init(
        store: DurableStore, configuration: Configuration, gpuAllocator: any InstanceGPUAllocator = NoInstanceGPUs(),
        events: EventBus? = nil, onStatusChange: (@Sendable (InstanceStatusChange) -> Void)? = nil
    ) {
        self.store = store
        self.configuration = configuration
        self.gpuAllocator = gpuAllocator
        self.events = events
        self.onStatusChange = onStatusChange
        ports = InstancePortAllocator(range: configuration.portRange)
        try? FileManager.default.createDirectory(
            atPath: configuration.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, record) in store.decodedValues(in: InstanceRecord.collection, as: InstanceRecord.self) {
            var entry = Self.makeEntry(record.instance, portAllocated: record.portAllocated, configuration: configuration)
            entry.recordedProcess = record.process
            entry.resumeOnStart = record.resumeOnStart
            entries[name] = entry
        }
    }

    static func makeEntry(_ instance: Instance, portAllocated: Bool, configuration: Configuration) -> Entry {
        let log = InstanceLog(
            directory: "\(configuration.directory)/\(instance.name)/logs", maxFileBytes: configuration.logFileBytes,
            filesKept: configuration.logFilesKept)
        return Entry(instance: instance, portAllocated: portAllocated, activity: InstanceActivity(), log: log)
    }

    // MARK: Reading

    /// Every instance, by name, optionally only those in `status`, with their resource use.
    public func list(status: InstanceStatus? = nil) -> [Instance] {
        let names = entries.keys.sorted().filter { status == nil || entries[$0]?.instance.status == status }
        let groups = Set(names.compactMap { entries[$0]?.process?.processGroup })
        let members = groups.isEmpty ? [:] : Dictionary(grouping: ProcFS.allProcesses().filter { !$0.isZombie }, by: \.processGroup)
        return names.compactMap { view($0, members: members) }
    }

    /// One instance with its resource use; 404 `INSTANCE_NOT_FOUND` when there is none.
    public func get(_ name: String) throws(ServerError) -> Instance {
        guard let entry = entries[name] else { throw InstanceErrors.notFound(name) }
        let group = entry.process?.processGroup
        let members = group.map { [$0: ProcFS.members(ofGroup: $0)] } ?? [:]
        guard let instance = view(name, members: members) else { throw InstanceErrors.notFound(name) }
        return instance
    }

    /// The instance as the API shows it: stats while a process runs.
    private func view(_ name: String, members: [Int32: [ProcFS.Stat]]) -> Instance? {
        guard var entry = entries[name] else { return nil }
        var instance = entry.instance
        instance.stats = nil
        if let process = entry.process, process.exit == nil, let group = members[process.processGroup] {
            let (stats, sample) = Self.stats(members: group, startedAt: instance.startedAt, previous: entry.cpuSample)
            instance.stats = stats
            entry.cpuSample = sample
            entries[name] = entry
        }
        return instance
    }

    /// Checks the instance now: its process, its port and its health probe (see ``InstanceHealthProbe``).
    public func health(_ name: String) async throws(ServerError) -> InstanceHealth {
        guard let entry = entries[name] else { throw InstanceErrors.notFound(name) }
        let instance = entry.instance
        guard let process = entry.process, let port = instance.port else {
            let state = instance.status == .failed ? "failed" : (instance.status == .starting ? "restarting" : "stopped")
            return InstanceHealth(status: .unhealthy, checks: ["process": state, "port": "unused", "response": "none"], lastCheck: Date())
        }
        let probe = InstanceHealthProbe(port: port, path: instance.healthPath, timeout: configuration.probeTimeout)
        return await probe.check(processAlive: process.exit == nil).health
    }

    /// The last `lines` log lines at `level` or above, oldest first.
    public func logs(_ name: String, lines: Int = 100, level: LogLevel? = nil) async throws(ServerError) -> [LogEntry] {
        let log = try instanceLog(name)
        return await BlockingCall.run("autogit-instance-logs") { log.tail(lines: lines, minimumLevel: level) }
    }

    /// The last `lines` log lines (or those after sequence `after`), then every new one, until the consumer stops or
    /// the instance is deleted.
    public func followLogs(
        _ name: String, lines: Int = 100, level: LogLevel? = nil, after: Int? = nil
    ) async throws(ServerError) -> AsyncStream<LogEntry> {
        let log = try instanceLog(name)
        return await BlockingCall.run("autogit-instance-logs") { log.follow(lines: lines, minimumLevel: level, after: after) }
    }

    func instanceLog(_ name: String) throws(ServerError) -> InstanceLog {
        guard let entry = entries[name] else { throw InstanceErrors.notFound(name) }
        return entry.log
    }

    // MARK: Status

    /// Whether `generation` still owns the instance's lifecycle.
    func isCurrent(_ name: String, _ generation: Int) -> Bool {
        !isAbandoned && entries[name]?.generation == generation
    }

    /// Takes over the instance's lifecycle: later callbacks of earlier owners are ignored.
    func nextGeneration(_ name: String) -> Int {
        entries[name]?.generation += 1
        return entries[name]?.generation ?? 0
    }

    /// Moves an instance to `status`, logging it and reporting the change (nothing is reported when it is
    /// already there).
    func setStatus(_ name: String, _ status: InstanceStatus, reason: String?) {
        guard let entry = entries[name] else { return }
        let old = entry.instance.status
        guard old != status else { return }
        entries[name]?.instance.status = status
        let level: LogLevel = status == .failed ? .error : .info
        entry.log.append("\(old.rawValue) → \(status.rawValue)\(reason.map { ": \($0)" } ?? "")", stream: .system, level: level)
        let change = InstanceStatusChange(instance: name, oldStatus: old, newStatus: status, reason: reason)
        events?.publish(.instanceStatusChanged, change.payload, at: change.timestamp)
        onStatusChange?(change)
    }

    func checkOpen() throws(ServerError) {
        if isShutDown { throw InstanceErrors.shutDown() }
    }

    func entry(_ name: String) throws(ServerError) -> Entry {
        guard let entry = entries[name] else { throw InstanceErrors.notFound(name) }
        return entry
    }

    // MARK: Persistence

    /// Makes the current state of `name` (or its absence) durable. Concurrent calls share commits; each returns once
    /// a commit that includes its change has synced.
    func persist(_ name: String) async throws(ServerError) {
        dirty.insert(name)
        writeRequested += 1
        guard !isWriting else {
            let ticket = writeRequested
            let failure = await withCheckedContinuation { continuation in
                writeWaiters.append((ticket, continuation))
            }
            if let failure { throw failure }
            return
        }
        isWriting = true
        var ownFailure: ServerError?
        var ownDone = false
        while !dirty.isEmpty {
            let names = dirty.sorted()
            dirty = []
            let upTo = writeRequested
            let changes = names.map(change(for:))
            var failure: ServerError?
            do { try await store.commit(changes) } catch { failure = error }
            if !ownDone {
                ownFailure = failure
                ownDone = true
            }
            let done = writeWaiters.filter { $0.ticket <= upTo }
            writeWaiters.removeAll { $0.ticket <= upTo }
            for waiter in done { waiter.continuation.resume(returning: failure) }
        }
        isWriting = false
        if let ownFailure { throw ownFailure }
    }

    private func change(for name: String) -> StoreChange {
        guard let entry = entries[name] else { return .delete(InstanceRecord.collection, name) }
        var instance = entry.instance
        instance.stats = nil
        var process: InstanceRecord.Process?
        if let running = entry.process, running.exit == nil, let port = instance.port {
            process = InstanceRecord.Process(
                pid: running.pid, processGroup: running.processGroup, startTicks: running.startTicks, port: port)
        } else if let recorded = entry.recordedProcess {
            process = recorded
        }
        let record = InstanceRecord(
            instance: instance, portAllocated: entry.portAllocated, process: process, resumeOnStart: entry.resumeOnStart)
        return (try? .put(InstanceRecord.collection, name, record)) ?? .delete(InstanceRecord.collection, name)
    }

    // MARK: Stopping the manager

    /// Stops every instance (gracefully, within `timeout` each, default ``Configuration/stopTimeout``), makes the
    /// state durable and refuses further calls with 503. Instances with the `always` policy that were running are
    /// started again by the next ``recover()``.
    public func shutdown(timeout: Duration? = nil) async {
        guard !isShutDown else { return }
        isShutDown = true
        let active = entries.filter { $0.value.process != nil || [.starting, .running, .stopping].contains($0.value.instance.status) }
        for name in active.keys { entries[name]?.resumeOnStart = true }
        let stopTimeout = timeout ?? configuration.stopTimeout
        await withTaskGroup(of: Void.self) { group in
            for name in active.keys {
                group.addTask {
                    await self.terminate(
                        name, force: false, timeout: stopTimeout, finalStatus: .stopped,
                        reason: "server shutting down")
                }
            }
        }
        for name in entries.keys {
            for task in entries[name]?.tasks ?? [] { task.cancel() }
            entries[name]?.tasks = []
            try? await persist(name)
        }
        for entry in entries.values { entry.log.close() }
    }

    /// Drops supervision without stopping anything, as a crash of the server would: processes keep running, their
    /// output is cut off, and nothing more is written. For tests of ``recover()``.
    func abandon() {
        isAbandoned = true
        isShutDown = true
        for entry in entries.values {
            for task in entry.tasks { task.cancel() }
            entry.process?.detachOutput()
            entry.log.close()
        }
    }
}
