import AutoGitClient
import AutoGitCore
import AutoGitFleeting
import AutoGitRunner
import AutoGitServer
import Foundation
import Synchronization

/// `autogit-bench pickup [--jobs N] [--agents N] [--in-process]`: how long a job waits for an idle runner.
///
/// Starts a server in this process on loopback and `--agents` runner agents (the `autogit` binary beside this one,
/// as child processes through the `local` plugin; in this process with `--in-process`, or when that binary is not
/// built), then submits `--jobs` one-step jobs (`echo`) one after the other, each once the previous one has ended,
/// so every job finds idle runners polling. For each job it measures, from the moment the submit request is sent:
///
/// - **first line (agent)**: to the timestamp the agent gave the step's first output line (the agent's clock,
///   the same machine's; milliseconds, as the API carries them);
/// - **first line (client)**: to the arrival of that line's `job_log` event at this process (over SSE), which adds
///   the upload and the event stream;
/// - **acknowledged**: to the `201` of the submit (the job is durable).
///
/// and prints the median, p99 and maximum of each. Five warm-up jobs are not counted.
func pickupBenchmark(_ arguments: [String]) async -> Int32 {
    var jobCount = 200
    var agentCount = 2
    var inProcess = false
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? arguments[index + 1] : ""
        switch arguments[index] {
        case "--jobs":
            jobCount = max(1, Int(value) ?? jobCount)
            index += 1
        case "--agents":
            agentCount = max(1, Int(value) ?? agentCount)
            index += 1
        case "--in-process": inProcess = true
        default:
            print("unknown option \(arguments[index]); usage: autogit-bench pickup [--jobs N] [--agents N] [--in-process]")
            return 2
        }
        index += 1
    }
    let directory = NSTemporaryDirectory() + "/autogit-bench-pickup-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("autogit").path
    if !inProcess && !FileManager.default.isExecutableFile(atPath: binary) {
        print("pickup: \(binary) is not built (swift build -c release --product autogit); running the agents in this process")
        inProcess = true
    }
    var configuration = ServerConfiguration()
    configuration.rateLimits.enabled = false
    let server = ReferenceServer(options: .quiet(dataDirectory: directory + "/server", configuration: configuration))
    let bench = PickupRun(directory: directory)
    do {
        try await server.start()
        let admin = AutoGitClient(baseURL: server.baseURL, credentials: .bearer(server.adminToken ?? ""))
        let token = try await admin.tokens.create(name: "bench agents", role: .runner).token ?? ""
        for number in 0..<agentCount {
            try await bench.startAgent(number, server: server.baseURL, token: token, binary: inProcess ? nil : binary)
        }
        try await bench.waitForRunners(agentCount, admin: admin)
        print(
            "pickup: \(jobCount) one-step jobs, one at a time, \(agentCount) idle agents (\(inProcess ? "in this process" : "child processes"))"
        )
        let samples = try await bench.measure(jobs: jobCount, warmUp: 5, admin: admin)
        print(PickupRun.summary("first line (agent) ", samples.map(\.firstLineByAgent)))
        print(PickupRun.summary("first line (client)", samples.map(\.firstLineAtClient)))
        print(PickupRun.summary("acknowledged       ", samples.map(\.acknowledged)))
    } catch {
        print("pickup: failed: \(error)")
        await bench.stop()
        await server.shutdown()
        return 1
    }
    await bench.stop()
    await server.shutdown()
    return 0
}

/// The agents and measurements of one `pickup` run.
private final class PickupRun: Sendable {
    struct Sample: Sendable {
        /// Milliseconds from sending the submit.
        var firstLineByAgent: Double
        var firstLineAtClient: Double
        var acknowledged: Double
    }

    /// What the event stream has seen of one job.
    private final class Arrivals: Sendable {
        private struct State {
            var firstLines: [String: (arrival: ContinuousClock.Instant, stamped: Date)] = [:]
            var finished: Set<String> = []
            var waiters: [(String, CheckedContinuation<Void, Never>)] = []
        }

        private let state = Mutex(State())

        func record(_ event: Event, at arrival: ContinuousClock.Instant) {
            guard let job = event.payload["job_id"]?.stringValue else { return }
            let resumed: [CheckedContinuation<Void, Never>] = state.withLock { state in
                if event.type == .jobLog, event.payload["stream"]?.stringValue == "stdout", state.firstLines[job] == nil {
                    let stamped = event.payload["timestamp"]?.stringValue.flatMap { RFC3339.date(from: $0) } ?? event.timestamp
                    state.firstLines[job] = (arrival, stamped)
                }
                if event.type == .jobStatusChanged, let status = event.payload["new_status"]?.stringValue,
                    JobStatus(rawValue: status).isFinal
                {
                    state.finished.insert(job)
                }
                let ready = state.waiters.filter { state.firstLines[$0.0] != nil && state.finished.contains($0.0) }
                state.waiters.removeAll { state.firstLines[$0.0] != nil && state.finished.contains($0.0) }
                return ready.map(\.1)
            }
            for waiter in resumed { waiter.resume() }
        }

        /// Waits until the job's first output line has arrived and the job has ended.
        func wait(for job: String) async -> (arrival: ContinuousClock.Instant, stamped: Date)? {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if state.firstLines[job] != nil && state.finished.contains(job) { return true }
                    state.waiters.append((job, continuation))
                    return false
                }
                if done { continuation.resume() }
            }
            return state.withLock { $0.firstLines[job] }
        }
    }

    private let directory: String
    private let plugins = Mutex<[(LocalPlugin, String)]>([])
    private let agents = Mutex<[(RunnerAgent, Task<Void, Never>)]>([])

    init(directory: String) {
        self.directory = directory
    }

    func startAgent(_ number: Int, server: URL, token: String, binary: String?) async throws {
        let work = directory + "/agent-\(number)"
        guard let binary else {
            let agent = RunnerAgent(
                configuration: RunnerAgentConfiguration(
                    serverURL: server, registrationToken: token, name: "bench-\(number)", workDirectory: work, log: { _ in }))
            let task = Task { _ = try? await agent.run() }
            agents.withLock { $0.append((agent, task)) }
            return
        }
        let plugin = LocalPlugin()
        let settings: JSONValue = [
            "executable": .string(binary), "log_dir": .string(directory + "/logs"), "working_directory": .string(directory),
            "stop_timeout": 10, "agent_arguments": ["--work-dir", .string(work)],
        ]
        _ = try await plugin.initialize(
            PluginSettings(
                providerName: "bench-\(number)", settings: settings,
                agent: AgentLaunch(serverURL: server.absoluteString, registrationToken: token)))
        guard let instance = try await plugin.provision(count: 1, shape: ProvisionShape()).first else {
            throw CoreError(.pluginUnavailable, "agent \(number) did not start")
        }
        plugins.withLock { $0.append((plugin, instance.id)) }
    }

    func waitForRunners(_ count: Int, admin: AutoGitClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await admin.runners.listPage(status: .idle, limit: 500).items.count < count {
            guard ContinuousClock.now < deadline else { throw CoreError(.pluginUnavailable, "the agents did not register within 60 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Let each agent send its first heartbeat and open its first long poll.
        try await Task.sleep(for: .milliseconds(500))
    }

    func measure(jobs: Int, warmUp: Int, admin: AutoGitClient) async throws -> [Sample] {
        let arrivals = Arrivals()
        let events = admin.events.stream(types: [.jobLog, .jobStatusChanged])
        let listener = Task {
            do {
                for try await event in events { arrivals.record(event, at: .now) }
            } catch {}
        }
        defer { listener.cancel() }
        // The stream is open once an event has come through it.
        let probe = try await admin.jobs.submit(JobSpec(name: "probe", steps: [JobStep(name: "echo", run: "echo ready")]))
        _ = await arrivals.wait(for: probe.id)
        var samples: [Sample] = []
        for number in 0..<(warmUp + jobs) {
            let spec = JobSpec(name: "pickup-\(number)", steps: [JobStep(name: "echo", run: "echo picked up")])
            let sentAt = ContinuousClock.now
            let sentDate = Date()
            let job = try await admin.jobs.submit(spec)
            let acknowledgedAt = ContinuousClock.now
            guard let line = await arrivals.wait(for: job.id) else { continue }
            guard number >= warmUp else { continue }
            samples.append(
                Sample(
                    firstLineByAgent: line.stamped.timeIntervalSince(sentDate) * 1000,
                    firstLineAtClient: Self.milliseconds(sentAt.duration(to: line.arrival)),
                    acknowledged: Self.milliseconds(sentAt.duration(to: acknowledgedAt))))
        }
        return samples
    }

    func stop() async {
        for (plugin, id) in plugins.withLock({ $0 }) { _ = try? await plugin.deprovision(ids: [id]) }
        for (agent, task) in agents.withLock({ $0 }) {
            agent.drain()
            await task.value
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func summary(_ label: String, _ values: [Double]) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "\(label): no samples" }
        func percentile(_ fraction: Double) -> Double {
            sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
        }
        return String(
            format: "%@: median %6.1f ms   p99 %6.1f ms   max %6.1f ms   (%d jobs)", label, percentile(0.5), percentile(0.99),
            sorted.last ?? 0, sorted.count)
    }
}
