import AutoGitCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runner agents as child processes of this process: what the quickstart uses, and the plugin for one machine.
///
/// `provision` spawns the agent command (by default `autogit runner --server URL --registration-token T --name NAME
/// --labels …` from this very binary) in a session of its own, so that its whole tree can be signalled, with standard
/// output and error appended to `log_dir/NAME.log` and standard input from `/dev/null`. The instance id is the pid.
///
/// - **Idempotency.** `deprovision` of an id that is not running (exited, unknown, or a pid now used by a process that
///   is not this provider's agent) reports it removed and signals nothing. `list`, `status`, `connectInfo` only look.
/// - **Partial failure.** `provision` returns the agents it started; it throws only when it started none (the
///   executable is missing, the log directory cannot be created). `deprovision` removes every id it is given.
/// - **Duration.** `provision` and `list` take milliseconds. `deprovision` sends SIGTERM to each agent's process
///   group, waits up to `stop_timeout` (default 10 s) for them together, then sends SIGKILL to what is left.
/// - **Liveness.** An instance is running while its process exists and is not a zombie (state `Z` counts as gone),
///   and has the start time recorded at spawn, so a reused pid is never mistaken for the agent.
/// - **Reconciliation.** `list` also reports processes on this machine whose environment carries this provider's tag
///   (``FleetingTags/provider``) and that lead their own session: agents left by an earlier run of the server.
///   They can be deprovisioned like the others.
public actor LocalPlugin: FleetingPlugin {
    private struct Entry {
        var pid: Int32
        var startTime: UInt64
        var runnerName: String
        var shape: ProvisionShape
        var createdAt: Date
        var logPath: String
        var isStopping = false
        var exitDescription: String?
    }

    private var settings: LocalSettings?
    private var entries: [String: Entry] = [:]

    public init() {}

    public func initialize(_ settings: PluginSettings) async throws -> ProviderInfo {
        let local = try LocalSettings(settings)
        if local.command.template == nil, !FileManager.default.isExecutableFile(atPath: local.executable) {
            throw CoreError(
                .pluginConfiguration, "\(local.provider): the agent executable \(local.executable) is not an executable file",
                field: "settings.executable")
        }
        self.settings = local
        return ProviderInfo(name: "local", version: "1", maxInstances: local.maxInstances, offers: local.offers)
    }

    public func provision(count: Int, shape: ProvisionShape) async throws -> [FleetingInstance] {
        let settings = try configured()
        do {
            try FileManager.default.createDirectory(atPath: settings.logDirectory, withIntermediateDirectories: true)
        } catch {
            throw CoreError(.pluginUnavailable, "\(settings.provider): cannot create the log directory \(settings.logDirectory): \(error)")
        }
        var created: [FleetingInstance] = []
        for _ in 0..<max(0, count) {
            do {
                created.append(try start(shape: shape, settings: settings))
            } catch {
                if created.isEmpty { throw error }
                break
            }
        }
        return created
    }

    private func start(shape: ProvisionShape, settings: LocalSettings) throws -> FleetingInstance {
        let name = RunnerNames.make(provider: settings.provider)
        let logPath = URL(fileURLWithPath: settings.logDirectory).appendingPathComponent("\(name).log").path
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard log >= 0 else {
            throw CoreError(.pluginUnavailable, "\(settings.provider): cannot open \(logPath): \(String(cString: strerror(errno)))")
        }
        defer { close(log) }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        let words = settings.command.arguments(
            executable: settings.executable, agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape)
        let pid = try ProcessSpawner.spawn(
            executable: words[0], arguments: Array(words.dropFirst()),
            environment: settings.command.variables(agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape),
            standardInput: null, standardOutput: log, standardError: log, isolation: .session,
            workingDirectory: settings.workingDirectory)
        let createdAt = Date()
        let startTime = ProcessInspector.snapshot(pid: pid)?.startTime ?? 0
        entries[String(pid)] = Entry(
            pid: pid, startTime: startTime, runnerName: name, shape: shape, createdAt: createdAt, logPath: logPath)
        return FleetingInstance(
            id: String(pid), state: .running, runnerName: name, shape: shape, createdAt: createdAt,
            metadata: ["pid": String(pid), "log": logPath])
    }

    public func deprovision(ids: [String]) async throws -> [String] {
        let settings = try configured()
        var stopping: [(id: String, pid: Int32, startTime: UInt64)] = []
        for id in ids {
            refresh(id)
            if let entry = entries[id], entry.exitDescription == nil {
                entries[id]?.isStopping = true
                stopping.append((id, entry.pid, entry.startTime))
            } else if entries[id] == nil, let pid = Int32(id), let leftover = taggedLeftover(pid: pid, provider: settings.provider) {
                stopping.append((id, pid, leftover.startTime))
            }
        }
        for target in stopping { kill(-target.pid, SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: settings.stopTimeout)
        while clock.now < deadline, stopping.contains(where: { isRunning(pid: $0.pid, startTime: $0.startTime, reaping: true) }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let stubborn = stopping.filter { isRunning(pid: $0.pid, startTime: $0.startTime, reaping: true) }
        for target in stubborn { kill(-target.pid, SIGKILL) }
        // SIGKILL is delivered asynchronously: wait (briefly) until it has been, so `status` says gone afterwards.
        let killDeadline = clock.now.advanced(by: .seconds(5))
        while clock.now < killDeadline, stubborn.contains(where: { isRunning(pid: $0.pid, startTime: $0.startTime, reaping: true) }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for id in ids { entries[id] = nil }
        return ids
    }

    public func list() async throws -> [FleetingInstance] {
        let settings = try configured()
        var instances: [FleetingInstance] = []
        for id in entries.keys.sorted() {
            refresh(id)
            guard let entry = entries[id] else { continue }
            if entry.exitDescription != nil {
                // `list` shows only what exists; the exited agent leaves the table (its id now reads as gone).
                entries[id] = nil
                continue
            }
            instances.append(
                FleetingInstance(
                    id: id, state: entry.isStopping ? .deleting : .running, runnerName: entry.runnerName, shape: entry.shape,
                    createdAt: entry.createdAt, metadata: ["pid": id, "log": entry.logPath]))
        }
        #if os(Linux)
        for pid in ProcessInspector.allPIDs() where entries[String(pid)] == nil {
            guard let leftover = taggedLeftover(pid: pid, provider: settings.provider) else { continue }
            instances.append(
                FleetingInstance(
                    id: String(pid), state: .running, runnerName: leftover.runnerName, reason: "started by an earlier run",
                    metadata: ["pid": String(pid), "adopted": "false"]))
        }
        #endif
        return instances
    }

    public func status(id: String) async throws -> FleetingInstanceState {
        let settings = try configured()
        refresh(id)
        if let entry = entries[id] {
            if entry.exitDescription != nil { return .gone }
            return entry.isStopping ? .deleting : .running
        }
        if let pid = Int32(id), taggedLeftover(pid: pid, provider: settings.provider) != nil { return .running }
        return .gone
    }

    public func connectInfo(id: String) async throws -> ConnectInfo {
        _ = try configured()
        var metadata = ["pid": id]
        if let entry = entries[id] { metadata["log"] = entry.logPath }
        return ConnectInfo(transport: "local", address: "127.0.0.1", metadata: metadata)
    }

    /// The reason an instance ended, while it is still in the table (tests and logs use it).
    public func exitDescription(id: String) -> String? {
        refresh(id)
        return entries[id]?.exitDescription
    }

    // MARK: - Liveness

    private func configured() throws -> LocalSettings {
        guard let settings else { throw CoreError(.pluginConfiguration, "The local plugin was used before initialize") }
        return settings
    }

    /// Reaps the agent if it exited (it is our child) and records why.
    ///
    /// While `waitpid` says our child has not ended, it has not, even when `/proc` already shows it as a zombie: the
    /// leader of a multithreaded process (an agent) shows `Z` until its other threads have exited, and only then can
    /// it be reaped, so its status is read at a later look. Only a pid that is no longer our child (reaped
    /// elsewhere) and does not run is "no longer running".
    private func refresh(_ id: String) {
        guard let entry = entries[id], entry.exitDescription == nil else { return }
        var status: Int32 = 0
        let reaped = waitpid(entry.pid, &status, WNOHANG)
        if reaped == entry.pid {
            let (code, signal) = ProcessSpawner.decode(waitStatus: status)
            entries[id]?.exitDescription = signal.map { "killed by signal \($0)" } ?? "exited with status \(code)"
        } else if reaped < 0, errno == ECHILD, !isRunning(pid: entry.pid, startTime: entry.startTime) {
            entries[id]?.exitDescription = "no longer running"
        }
    }

    /// Whether the process still runs; with `reaping`, collects it first if it is our exited child, so that it does
    /// not linger as a zombie.
    private func isRunning(pid: Int32, startTime: UInt64, reaping: Bool = false) -> Bool {
        if reaping {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return false }
        }
        guard let snapshot = ProcessInspector.snapshot(pid: pid), snapshot.isAlive else { return false }
        return startTime == 0 || snapshot.startTime == startTime
    }

    /// A live process that leads its own session and carries this provider's tag: an agent of ours.
    private func taggedLeftover(pid: Int32, provider: String) -> (runnerName: String, startTime: UInt64)? {
        guard let snapshot = ProcessInspector.snapshot(pid: pid), snapshot.isAlive, snapshot.sessionID == pid,
            let environment = ProcessInspector.environment(pid: pid), environment[FleetingTags.provider] == provider,
            environment[FleetingTags.plugin] == "local"
        else { return nil }
        return (environment[FleetingTags.runnerName] ?? "", snapshot.startTime)
    }
}
