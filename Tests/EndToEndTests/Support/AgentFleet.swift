import AutoGitClient
import AutoGitCore
import AutoGitFleeting
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An embedded server with real `autogit runner` agents: child processes of the built binary, each started by the
/// `local` fleeting plugin in a session of its own (every descriptor but 0-2 closed, output appended to a log file).
/// ``withAgentFleet(configuration:_:)`` stops every agent (SIGTERM, SIGKILL after a few seconds), kills the process
/// groups a test registered, shuts the server down and removes the directories, whether the test passed or not.
final class AgentFleet: Sendable {
    /// One agent as the test sees it.
    struct Agent: Sendable {
        var plugin: LocalPlugin
        var instance: FleetingInstance
        var pid: pid_t { pid_t(instance.id) ?? 0 }
        var runnerName: String { instance.runnerName }
        var logPath: String { instance.metadata["log"] ?? "" }
    }

    let server: EmbeddedServer
    let directory: String
    private let registrationToken: String
    private let agents = Mutex<[Agent]>([])
    private let processGroups = Mutex<[pid_t]>([])

    /// Heartbeats every second, so a killed agent is noticed within seconds, and rate limits off. A runner is offline
    /// only after 10 s without one: the server in the test process shares two cores with the whole suite, and under
    /// that load it has been seen to take 5 s to handle a live agent's heartbeat. A runner wrongly marked offline
    /// loses its running job's attempt (Docs/scheduling.md), which a test of something else must not see.
    static var configuration: ServerConfiguration {
        var configuration = EmbeddedServer.testConfiguration
        configuration.runners.heartbeatIntervalSeconds = 1
        configuration.runners.offlineAfterSeconds = 10
        return configuration
    }

    private init(server: EmbeddedServer, directory: String, registrationToken: String) {
        self.server = server
        self.directory = directory
        self.registrationToken = registrationToken
    }

    static func start(configuration: ServerConfiguration) async throws -> AgentFleet {
        let server = try await EmbeddedServer.start(configuration: configuration)
        do {
            let directory = NSTemporaryDirectory() + "/autogit-agents-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let token = try await server.admin.tokens.create(name: "e2e agents", role: .runner)
            return AgentFleet(server: server, directory: directory, registrationToken: token.token ?? "")
        } catch {
            await server.stop()
            throw error
        }
    }

    var admin: AutoGitClient { server.admin }

    /// Starts one agent and waits until its runner is registered. `gpus` writes a fake inventory of that many
    /// A100s for it.
    @discardableResult
    func startAgent(
        _ role: String, labels: [String] = [], gpus: Int = 0, concurrency: Int = 1, within seconds: Double = 60
    ) async throws -> (agent: Agent, runner: Runner) {
        var arguments = ["--work-dir", directory + "/work-\(role)", "--concurrency", String(concurrency)]
        if gpus > 0 {
            let inventory = directory + "/gpus-\(role).json"
            let entries = (0..<gpus).map { #"{"index": \#($0), "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920}"# }
            try Data(("[" + entries.joined(separator: ",") + "]").utf8).write(to: URL(fileURLWithPath: inventory))
            arguments += ["--gpu-inventory", inventory]
        }
        let plugin = LocalPlugin()
        let settings: JSONValue = [
            "executable": .string(autogitBinary), "log_dir": .string(directory + "/logs"), "working_directory": .string(directory),
            "stop_timeout": 5, "agent_arguments": .array(arguments.map(JSONValue.string)),
        ]
        _ = try await plugin.initialize(
            PluginSettings(
                providerName: "e2e-\(role)", settings: settings,
                agent: AgentLaunch(serverURL: server.server.baseURL.absoluteString, registrationToken: registrationToken, labels: labels)))
        guard let instance = try await plugin.provision(count: 1, shape: ProvisionShape()).first else {
            throw E2EFailure("the \(role) agent did not start")
        }
        let agent = Agent(plugin: plugin, instance: instance)
        agents.withLock { $0.append(agent) }
        let runner = try await waitFor("runner \(instance.runnerName) to register", within: seconds) {
            try await self.admin.runners.listPage(limit: 500).items.first { $0.name == instance.runnerName && $0.status.acceptsJobs }
        }
        return (agent, runner)
    }

    /// A process group the test's steps made (their pid written to a file): killed at the end whatever happens.
    func adoptProcessGroup(_ pid: pid_t) {
        processGroups.withLock { $0.append(pid) }
    }

    /// Why the agent ended ("exited with status 0", "killed by signal 9"), or nil while it runs.
    func exitDescription(of agent: Agent) async -> String? {
        await agent.plugin.exitDescription(id: agent.instance.id)
    }

    /// The agent's own log, for failure messages.
    func log(of agent: Agent) -> String {
        (try? String(contentsOfFile: agent.logPath, encoding: .utf8)) ?? "(no log)"
    }

    /// Polls `condition` every 50 ms until it gives a value, or throws after `seconds` (a bound on the wait, not a
    /// measurement).
    func waitFor<T>(_ what: String, within seconds: Double = 60, _ condition: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            if let value = try await condition() { return value }
            guard ContinuousClock.now < deadline else {
                let logs = agents.withLock { $0 }.map { "--- \($0.runnerName):\n" + log(of: $0).suffix(3000) }.joined(separator: "\n")
                throw E2EFailure("gave up waiting for \(what) after \(seconds) s\n\(logs)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the job to reach a final status and returns it.
    func finished(_ jobID: String, within seconds: Double = 90) async throws -> Job {
        try await waitFor("job \(jobID) to end", within: seconds) {
            let job = try await admin.jobs.get(jobID)
            return job.status.isFinal ? job : nil
        }
    }

    /// Every stored log line of the job, in order.
    func logLines(_ jobID: String) async throws -> [LogEntry] {
        var lines: [LogEntry] = []
        for try await entry in admin.jobs.logs(jobID, after: 0) { lines.append(entry) }
        return lines
    }

    func stop() async {
        for agent in agents.withLock({ $0 }) {
            _ = try? await agent.plugin.deprovision(ids: [agent.instance.id])
        }
        for group in processGroups.withLock({ $0 }) where group > 0 { kill(-group, SIGKILL) }
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` with a fresh server and no agents yet; everything is stopped afterwards, whether `body` throws or not.
func withAgentFleet(
    configuration: ServerConfiguration = AgentFleet.configuration, _ body: (AgentFleet) async throws -> Void
) async throws {
    let fleet = try await AgentFleet.start(configuration: configuration)
    do {
        try await body(fleet)
        await fleet.stop()
    } catch {
        await fleet.stop()
        throw error
    }
}

/// Whether a process is gone: no such pid, or a zombie (state Z) that only waits to be reaped.
func isGone(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state == "Z" || state == "X"
}
