import AutoGitCore
import Foundation

/// Runner agents on a pool of SSH hosts, started and stopped with the system `ssh` client.
///
/// `provision` picks hosts with a free slot (`instances_per_host`, default 1) and starts the agent on each over
/// `ssh` (`BatchMode=yes`, so it never prompts) as `env TAGS… setsid nohup AGENT … >LOG 2>&1 </dev/null & echo $!`:
/// detached in its own session, logging to `remote_log_dir/NAME.log`, and tagged with the ``FleetingTags``
/// variables. The instance id is `HOST:PID`. The hosts must be Linux (`/proc`, `ps`, `setsid`).
///
/// - **Idempotency.** `deprovision` signals only processes that carry this provider's tag, so an id whose process
///   is gone, or whose pid was reused, is reported removed and nothing is killed. `list`, `status`, `connectInfo`
///   only look.
/// - **Partial failure.** `provision` returns the agents it started; a host that cannot be reached or fails the
///   start is skipped for the next free one. It throws when it started none: `PLUGIN_REJECTED` when every host is
///   full, `PLUGIN_UNAVAILABLE` when no host could be reached. `deprovision` returns the ids whose host answered;
///   ids on an unreachable host are missing from the answer (still there).
/// - **Duration.** One `ssh` connection per host per call (about 0.3 s on a LAN), run in parallel across hosts,
///   each bounded by `command_timeout` (default 30 s); `provision` first looks at every host, then starts the agents
///   one by one. `deprovision` waits up to `stop_timeout` (default 10 s) for SIGTERM before SIGKILL.
/// - **Reconciliation.** `list` asks every host for the processes carrying this provider's tag that lead their own
///   session, so agents started by an earlier run of the server are found (and can be deprovisioned). Instances on
///   a host that cannot be reached are listed as last seen, with the reason.
public actor SSHPlugin: FleetingPlugin {
    private struct Entry {
        var host: String
        var pid: Int32
        var runnerName: String
        var shape: ProvisionShape
        var createdAt: Date?
        var log: String?
    }

    /// What one host said about this provider's agents, or why it could not say.
    private struct HostScan: Sendable {
        var host: SSHHost
        var agents: [(pid: Int32, state: String, runnerName: String)]
        var failure: String?
    }

    private var settings: SSHSettings?
    private var entries: [String: Entry] = [:]
    /// Slots taken by starts still in flight, per host, so that concurrent `provision` calls do not double-book.
    private var reserved: [String: Int] = [:]

    public init() {}

    public func initialize(_ settings: PluginSettings) async throws -> ProviderInfo {
        let ssh = try SSHSettings(settings)
        self.settings = ssh
        return ProviderInfo(name: "ssh", version: "1", maxInstances: ssh.maxInstances, offers: ssh.offers)
    }

    public func provision(count: Int, shape: ProvisionShape) async throws -> [FleetingInstance] {
        let settings = try configured()
        guard count > 0 else { return [] }
        let scans = await scanAll(settings)
        absorb(scans)
        var created: [FleetingInstance] = []
        var failures: [String] = scans.compactMap { scan in scan.failure.map { "\(scan.host.name): \($0)" } }
        var candidates = scans.filter { $0.failure == nil }.map(\.host)
        while created.count < count, !candidates.isEmpty {
            let host = candidates[0]
            let used = entries.values.filter { $0.host == host.name }.count + reserved[host.name, default: 0]
            guard used < host.maxInstances else {
                candidates.removeFirst()
                continue
            }
            reserved[host.name, default: 0] += 1
            do {
                let instance = try await start(on: host, shape: shape, settings: settings)
                reserved[host.name, default: 0] -= 1
                created.append(instance)
            } catch {
                reserved[host.name, default: 0] -= 1
                failures.append("\(host.name): \((error as? CoreError)?.message ?? "\(error)")")
                candidates.removeFirst()
            }
        }
        if created.isEmpty {
            if failures.isEmpty {
                throw CoreError(
                    .pluginRejected,
                    "\(settings.provider): every host is full (\(settings.hosts.count) hosts, \(settings.hosts.map(\.maxInstances)) slots)")
            }
            throw CoreError(.pluginUnavailable, "\(settings.provider): no agent started: \(failures.joined(separator: "; "))")
        }
        return created
    }

    private func start(on host: SSHHost, shape: ProvisionShape, settings: SSHSettings) async throws -> FleetingInstance {
        let name = RunnerNames.make(provider: settings.provider)
        let words = settings.command.arguments(
            executable: settings.executable, agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape)
        let variables = settings.command.variables(agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape)
        let script = RemoteScripts.start(
            words: words, environment: variables, logDirectory: settings.remoteLogDirectory, runnerName: name)
        let result = try await CommandRunner.run(settings.ssh(host, script))
        let lastLine = result.output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        guard result.succeeded, let pid = Int32(lastLine.trimmingCharacters(in: .whitespaces)), pid > 0 else {
            let detail = result.timedOut ? "ssh timed out" : "ssh exit \(result.status): \(result.diagnostic())"
            throw CoreError(.pluginUnavailable, "starting the agent failed (\(detail))")
        }
        let id = "\(host.name):\(pid)"
        let log = "\(settings.remoteLogDirectory)/\(name).log"
        entries[id] = Entry(host: host.name, pid: pid, runnerName: name, shape: shape, createdAt: Date(), log: log)
        return FleetingInstance(
            id: id, state: .running, runnerName: name, shape: shape, createdAt: Date(),
            metadata: ["host": host.name, "pid": String(pid), "remote_log": log])
    }

    public func deprovision(ids: [String]) async throws -> [String] {
        let settings = try configured()
        var byHost: [String: [(id: String, pid: Int32)]] = [:]
        var removed: [String] = []
        for id in ids {
            guard let (hostName, pid) = Self.parse(id), settings.hosts.contains(where: { $0.name == hostName }) else {
                removed.append(id)  // not an id of this pool: nothing of ours to stop
                continue
            }
            byHost[hostName, default: []].append((id, pid))
        }
        let graceTenths = Int((settings.stopTimeout / .milliseconds(100)).rounded(.up))
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for (hostName, targets) in byHost {
                guard let host = settings.hosts.first(where: { $0.name == hostName }) else { continue }
                let script = RemoteScripts.stop(provider: settings.provider, pids: targets.map(\.pid), graceTenths: graceTenths)
                let command = settings.ssh(host, script, timeout: settings.commandTimeout + settings.stopTimeout + .seconds(5))
                group.addTask {
                    let result = try? await CommandRunner.run(command)
                    return (hostName, result?.succeeded == true && result?.output.contains("stop-done") == true)
                }
            }
            var outcomes: [String: Bool] = [:]
            for await (host, succeeded) in group { outcomes[host] = succeeded }
            return outcomes
        }
        for (hostName, targets) in byHost where outcomes[hostName] == true {
            for target in targets {
                entries[target.id] = nil
                removed.append(target.id)
            }
        }
        return ids.filter { removed.contains($0) }
    }

    public func list() async throws -> [FleetingInstance] {
        let settings = try configured()
        let scans = await scanAll(settings)
        absorb(scans)
        var instances: [FleetingInstance] = []
        for scan in scans {
            if let failure = scan.failure {
                for (id, entry) in entries where entry.host == scan.host.name {
                    instances.append(instance(id: id, entry: entry, state: .running, reason: "host unreachable: \(failure)"))
                }
                continue
            }
            for agent in scan.agents {
                let id = "\(scan.host.name):\(agent.pid)"
                let entry =
                    entries[id] ?? Entry(host: scan.host.name, pid: agent.pid, runnerName: agent.runnerName, shape: ProvisionShape())
                instances.append(instance(id: id, entry: entry, state: .running, reason: nil))
            }
        }
        return instances.sorted { $0.id < $1.id }
    }

    public func status(id: String) async throws -> FleetingInstanceState {
        let settings = try configured()
        guard let (hostName, pid) = Self.parse(id), let host = settings.hosts.first(where: { $0.name == hostName }) else { return .gone }
        let scan = await Self.scan(host, settings: settings, pid: pid)
        if let failure = scan.failure {
            throw CoreError(.pluginUnavailable, "\(settings.provider): cannot reach \(host.name): \(failure)")
        }
        if scan.agents.contains(where: { $0.pid == pid }) { return .running }
        entries[id] = nil
        return .gone
    }

    public func connectInfo(id: String) async throws -> ConnectInfo {
        let settings = try configured()
        guard let (hostName, pid) = Self.parse(id), let host = settings.hosts.first(where: { $0.name == hostName }) else {
            throw CoreError(.notFound, "\(settings.provider): no host for instance \(id)")
        }
        var metadata = ["pid": String(pid)]
        if let log = entries[id]?.log { metadata["remote_log"] = log }
        return ConnectInfo(
            transport: "ssh", address: host.address, port: host.port, user: host.user, keyReference: settings.keyPath, metadata: metadata)
    }

    // MARK: - Hosts

    private func instance(id: String, entry: Entry, state: FleetingInstanceState, reason: String?) -> FleetingInstance {
        var metadata = ["host": entry.host, "pid": String(entry.pid)]
        if let log = entry.log { metadata["remote_log"] = log }
        return FleetingInstance(
            id: id, state: state, runnerName: entry.runnerName, shape: entry.shape, createdAt: entry.createdAt, reason: reason,
            metadata: metadata)
    }

    /// Updates the table from what reachable hosts reported: agents that vanished leave it, leftovers join it.
    private func absorb(_ scans: [HostScan]) {
        for scan in scans where scan.failure == nil {
            let alive = Set(scan.agents.map(\.pid))
            for (id, entry) in entries where entry.host == scan.host.name && !alive.contains(entry.pid) {
                entries[id] = nil
            }
            for agent in scan.agents where entries["\(scan.host.name):\(agent.pid)"] == nil {
                entries["\(scan.host.name):\(agent.pid)"] = Entry(
                    host: scan.host.name, pid: agent.pid, runnerName: agent.runnerName, shape: ProvisionShape())
            }
        }
    }

    private func scanAll(_ settings: SSHSettings) async -> [HostScan] {
        await withTaskGroup(of: HostScan.self) { group in
            for host in settings.hosts {
                group.addTask { await Self.scan(host, settings: settings, pid: nil) }
            }
            var scans: [HostScan] = []
            for await scan in group { scans.append(scan) }
            return scans.sorted { $0.host.name < $1.host.name }
        }
    }

    /// The agents of this provider on `host` (session leaders, not zombies), or why the host did not answer.
    private static func scan(_ host: SSHHost, settings: SSHSettings, pid: Int32?) async -> HostScan {
        let result: CommandResult
        do {
            result = try await CommandRunner.run(settings.ssh(host, RemoteScripts.scan(provider: settings.provider, pid: pid)))
        } catch {
            return HostScan(host: host, agents: [], failure: (error as? CoreError)?.message ?? "\(error)")
        }
        guard result.succeeded, result.output.contains("scan-done") else {
            let detail = result.timedOut ? "ssh timed out" : "ssh exit \(result.status): \(result.diagnostic())"
            return HostScan(host: host, agents: [], failure: detail)
        }
        var agents: [(pid: Int32, state: String, runnerName: String)] = []
        for line in result.output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard fields.count >= 3, let pid = Int32(fields[0]), let session = Int32(fields[2]) else { continue }
            guard session == pid, !fields[1].hasPrefix("Z") else { continue }
            agents.append((pid, fields[1], fields.count > 3 ? fields[3] : ""))
        }
        return HostScan(host: host, agents: agents, failure: nil)
    }

    private static func parse(_ id: String) -> (host: String, pid: Int32)? {
        guard let colon = id.lastIndex(of: ":"), let pid = Int32(id[id.index(after: colon)...]), pid > 0 else { return nil }
        return (String(id[..<colon]), pid)
    }

    private func configured() throws -> SSHSettings {
        guard let settings else { throw CoreError(.pluginConfiguration, "The ssh plugin was used before initialize") }
        return settings
    }
}
