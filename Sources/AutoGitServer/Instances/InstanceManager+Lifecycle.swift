import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension InstanceManager {
    /// Starts a stopped or failed instance and returns it `starting`; it becomes `running` once its health probe
    /// passes (``waitUntilRunning(_:timeout:)``). Starting one more than ``Configuration/maxRunning`` first stops
    /// the least recently used.
    ///
    /// - Throws: 409 `INVALID_STATE_TRANSITION` when it is not stopped or failed; 409 `CONFLICT` when its port is
    ///   taken by another program; 503 `RESOURCE_UNAVAILABLE` when its GPUs are not available.
    public func start(_ name: String) async throws(ServerError) -> Instance {
        try checkOpen()
        let entry = try entry(name)
        guard Self.isStopped(entry) else { throw InstanceErrors.invalidTransition(name, entry.instance.status, "start") }
        entries[name]?.instance.restarts = 0
        entries[name]?.backoffLevel = 0
        entries[name]?.instance.lastError = nil
        entries[name]?.resumeOnStart = false
        try await launch(name, reason: "start requested")
        return try get(name)
    }

    /// Stops a starting or running instance: SIGTERM to its process group, SIGKILL after `timeout` (default
    /// ``Configuration/stopTimeout``), or SIGKILL at once with `force`. Returns once the process is gone, the GPUs are
    /// free and the instance is `stopped`.
    ///
    /// - Throws: 409 `INVALID_STATE_TRANSITION` when it is not starting or running.
    public func stop(_ name: String, force: Bool = false, timeout: Duration? = nil) async throws(ServerError) -> Instance {
        try checkOpen()
        let entry = try entry(name)
        guard [.starting, .running].contains(entry.instance.status) else {
            throw InstanceErrors.invalidTransition(name, entry.instance.status, "stop")
        }
        entries[name]?.resumeOnStart = false
        await terminate(
            name, force: force, timeout: timeout ?? configuration.stopTimeout, finalStatus: .stopped,
            reason: force ? "killed on request" : "stop requested")
        return try get(name)
    }

    /// Stops the instance gracefully (when it runs) and starts it again; returns it `starting`.
    public func restart(_ name: String) async throws(ServerError) -> Instance {
        try checkOpen()
        let entry = try entry(name)
        if entry.instance.status == .stopping { throw InstanceErrors.invalidTransition(name, .stopping, "restart") }
        if !Self.isStopped(entry) {
            await terminate(name, force: false, timeout: configuration.stopTimeout, finalStatus: .stopped, reason: "restart requested")
        }
        guard entries[name] != nil else { throw InstanceErrors.notFound(name) }
        entries[name]?.instance.restarts = 0
        entries[name]?.backoffLevel = 0
        entries[name]?.instance.lastError = nil
        try await launch(name, reason: "restart requested")
        return try get(name)
    }

    /// Starts every stopped or failed instance, by name, while fewer than ``Configuration/maxRunning`` run; the
    /// others are reported as not started. Each instance's outcome is in the result.
    public func startAll() async -> InstanceBatchResult {
        var results: [InstanceBatchResult.Item] = []
        let names = entries.keys.sorted().filter { entries[$0].map(Self.isStopped) ?? false }
        for name in names {
            let active = entries.values.filter { [.starting, .running].contains($0.instance.status) }.count
            guard active < configuration.maxRunning else {
                let error = APIErrorBody(
                    code: .resourceUnavailable, message: "max_running (\(configuration.maxRunning)) instances already run",
                    details: ["instance": .string(name)])
                results.append(.init(name: name, success: false, status: entries[name]?.instance.status, error: error))
                continue
            }
            do {
                let instance = try await start(name)
                results.append(.init(name: name, success: true, status: instance.status))
            } catch {
                results.append(
                    .init(
                        name: name, success: false, status: entries[name]?.instance.status,
                        error: APIErrorBody(code: error.code, message: error.message, details: error.details)))
            }
        }
        return InstanceBatchResult(results: results)
    }

    /// Stops every starting or running instance, all at once, as ``stop(_:force:timeout:)`` does.
    public func stopAll(force: Bool = false, timeout: Duration? = nil) async -> InstanceBatchResult {
        let names = entries.keys.sorted().filter { [.starting, .running].contains(entries[$0]?.instance.status ?? .stopped) }
        let results = await withTaskGroup(of: InstanceBatchResult.Item.self) { group in
            for name in names {
                group.addTask {
                    do throws(ServerError) {
                        let instance = try await self.stop(name, force: force, timeout: timeout)
                        return .init(name: name, success: true, status: instance.status)
                    } catch {
                        return .init(
                            name: name, success: false,
                            error: APIErrorBody(code: error.code, message: error.message, details: error.details))
                    }
                }
            }
            var items: [InstanceBatchResult.Item] = []
            for await item in group { items.append(item) }
            return items
        }
        return InstanceBatchResult(results: results.sorted { $0.name < $1.name })
    }

    static func isStopped(_ entry: Entry) -> Bool {
        guard entry.process == nil else { return false }
        switch entry.instance.status {
        case .stopped, .failed, .unknown: return true
        default: return false
        }
    }

    // MARK: Launching

    /// Starts the instance's process: makes room under the running limit, takes GPUs and the port, spawns, and
    /// hands the process to a supervisor and an exit watcher. On failure the instance is `failed` and the error
    /// thrown. A launch that another action overtakes (a stop, a delete) gives up quietly.
    func launch(_ name: String, reason: String) async throws(ServerError) {
        guard entries[name] != nil else { throw InstanceErrors.notFound(name) }
        let generation = nextGeneration(name)
        setStatus(name, .starting, reason: reason)
        entries[name]?.activity.touch()

        for victim in leastRecentlyUsed(toMakeRoomFor: name) {
            await terminate(
                victim, force: false, timeout: configuration.stopTimeout, finalStatus: .stopped,
                reason: "least recently used: stopped to make room for '\(name)' (max_running \(configuration.maxRunning))")
        }
        guard isCurrent(name, generation), let instance = entries[name]?.instance else { return }

        var gpuEnvironment: [String: String] = [:]
        if let requirement = instance.gpu, requirement.count > 0 {
            let allocation: InstanceGPUAllocation
            do {
                allocation = try await gpuAllocator.allocate(requirement, instance: name)
            } catch {
                await failLaunch(name, generation, error.message)
                throw error
            }
            guard isCurrent(name, generation) else {
                await gpuAllocator.release(instance: name)
                return
            }
            entries[name]?.gpu = allocation
            gpuEnvironment = allocation.environment
            entries[name]?.log.append("GPUs \(allocation.gpus.joined(separator: ",")) allocated", stream: .system)
        }

        let port: Int
        do {
            port = try portForStart(name)
        } catch {
            await failLaunch(name, generation, error.message)
            throw error
        }
        guard let entry = entries[name] else { return }
        let workingDirectory = "\(configuration.directory)/\(name)/work"
        try? FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true)
        var environment = configuration.environment
        environment.merge(entry.instance.environment) { $1 }
        environment.merge(gpuEnvironment) { $1 }
        environment["AUTOGIT_INSTANCE"] = name
        environment["AUTOGIT_INSTANCE_PORT"] = String(port)
        let arguments = InstanceCommandLine.arguments(
            for: entry.instance, port: port, workingDirectory: workingDirectory, llamaServer: configuration.llamaServerProgram,
            vllm: configuration.vllmProgram)
        entry.log.append("starting on port \(port): \(Self.display(arguments))", stream: .system)

        let process: InstanceProcess
        do {
            process = try InstanceProcess.spawn(arguments: arguments, environment: environment, log: entry.log)
        } catch {
            await failLaunch(name, generation, error.message)
            throw error
        }
        spawnedProcessGroups.insert(process.processGroup)
        entries[name]?.process = process
        entries[name]?.recordedProcess = nil
        entries[name]?.instance.pid = process.pid
        entries[name]?.instance.startedAt = Date()
        entries[name]?.runningSince = nil
        entries[name]?.cpuSample = nil
        entries[name]?.tasks = [
            Task { await self.watchExit(name, generation, process) },
            Task { await self.supervise(name, generation, process, startPhase: true) },
        ]
        do {
            try await persist(name)
        } catch {
            // A process the store does not know about could outlive a crash unseen: do not keep it.
            await terminate(name, force: true, timeout: .zero, finalStatus: .failed, reason: "cannot record the process: \(error.message)")
            throw error
        }
    }

    /// The script as a person would type it, for the log.
    private static func display(_ arguments: [String]) -> String {
        guard arguments.count >= 3 else { return arguments.joined(separator: " ") }
        let script = arguments[2].split(separator: "\n", maxSplits: 1).last.map(String.init) ?? arguments[2]
        if script == "exec \"$@\"" { return arguments.dropFirst(4).map(InstanceCommandLine.shellQuoted).joined(separator: " ") }
        return script
    }

    private func failLaunch(_ name: String, _ generation: Int, _ message: String) async {
        guard isCurrent(name, generation) else { return }
        if entries[name]?.gpu != nil {
            entries[name]?.gpu = nil
            await gpuAllocator.release(instance: name)
        }
        guard isCurrent(name, generation) else { return }
        entries[name]?.instance.lastError = message
        setStatus(name, .failed, reason: message)
        try? await persist(name)
    }

    /// The port to start on: the instance's own when free; for an allocated port that another program took, a new
    /// one from the range. A port the user gave that is busy is a 409.
    private func portForStart(_ name: String) throws(ServerError) -> Int {
        guard let entry = entries[name] else { throw InstanceErrors.notFound(name) }
        if let port = entry.instance.port {
            if let holder = entries.first(where: { $0.key != name && $0.value.instance.port == port })?.key {
                throw InstanceErrors.portInUse(port, by: holder)
            }
            if LoopbackSocket.isFree(port: port) { return port }
            guard entry.portAllocated else { throw InstanceErrors.portInUse(port) }
        }
        guard let port = ports.allocate(excluding: takenPorts(except: name)) else {
            throw InstanceErrors.noFreePort(configuration.portRange)
        }
        entry.log.append(
            "port \(entry.instance.port.map(String.init) ?? "-") is taken by another program: using \(port)", stream: .system, level: .warn)
        entries[name]?.instance.port = port
        return port
    }

    /// The running instances to stop so that `name` fits under the limit: idle ones before busy ones, least recently
    /// used first.
    func leastRecentlyUsed(toMakeRoomFor name: String) -> [String] {
        let active = entries.filter { $0.key != name && [.starting, .running].contains($0.value.instance.status) }
        let excess = active.count + 1 - configuration.maxRunning
        guard excess > 0 else { return [] }
        let ordered = active.map { (name: $0.key, busy: $0.value.activity.inFlight > 0, lastUsed: $0.value.activity.lastUsed) }
            .sorted { left, right in
                if left.busy != right.busy { return !left.busy }
                return left.lastUsed < right.lastUsed
            }
        return ordered.prefix(excess).map(\.name)
    }

    // MARK: Terminating

    /// Ends whatever the instance runs and leaves it `finalStatus`: SIGTERM to the process group (SIGKILL with
    /// `force`), SIGKILL after `timeout`, then SIGKILL again to the group for anything the program left behind.
    /// Frees the GPUs. `cancelTasks` is false when the caller is one of the instance's own tasks.
    func terminate(
        _ name: String, force: Bool, timeout: Duration, finalStatus: InstanceStatus, reason: String, cancelTasks: Bool = true
    ) async {
        guard let entry = entries[name] else { return }
        let generation = nextGeneration(name)
        if cancelTasks {
            for task in entry.tasks { task.cancel() }
            entries[name]?.tasks = []
        }
        setStatus(name, .stopping, reason: reason)
        if let process = entry.process, process.exit == nil {
            entry.log.append("sending \(force ? "SIGKILL" : "SIGTERM") to process group \(process.processGroup)", stream: .system)
            process.signalGroup(force ? SIGKILL : SIGTERM)
            if await process.waitForExit(timeout: force ? .seconds(5) : timeout) == nil {
                entry.log.append("still running after \(timeout): sending SIGKILL", stream: .system, level: .warn)
                process.signalGroup(SIGKILL)
                _ = await process.waitForExit(timeout: .seconds(5))
            }
        }
        entry.process?.signalGroup(SIGKILL)
        if entries[name]?.gpu != nil, isCurrent(name, generation) {
            entries[name]?.gpu = nil
            await gpuAllocator.release(instance: name)
        }
        guard isCurrent(name, generation) else { return }
        if let exit = entry.process?.exit { entry.log.append("process \(exit)", stream: .system) }
        entries[name]?.process = nil
        entries[name]?.instance.pid = nil
        entries[name]?.runningSince = nil
        entries[name]?.cpuSample = nil
        if finalStatus == .failed { entries[name]?.instance.lastError = reason }
        setStatus(name, finalStatus, reason: reason)
        try? await persist(name)
    }
}
