import AutoGitClient
import AutoGitCore
import AutoGitFleeting
import AutoGitServer
import Foundation
import Synchronization

/// One run of `autogit quickstart`: an embedded server, two local agents started through the `local` fleeting
/// plugin, two jobs. ``run()`` does the work and may be cancelled at any point; ``stop()`` undoes whatever was
/// started, in order (agents drained and reaped, server shut down, directory removed), and is always called.
final class QuickstartSession: Sendable {
    private struct Agent: Sendable {
        var plugin: LocalPlugin
        var instance: FleetingInstance
        var role: String
    }

    private let context: CommandContext
    private let directory: String
    private let server: ReferenceServer
    private let agents = Mutex<[Agent]>([])
    private let isServerStarted = Mutex(false)

    /// Makes the temporary directory (mode 0700, under `TMPDIR`).
    init(context: CommandContext) throws {
        self.context = context
        var template = Array((NSTemporaryDirectory() + "/autogit-quickstart-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CLIError.failure("cannot create a temporary directory in \(NSTemporaryDirectory())")
        }
        directory = URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
        var configuration = ServerConfiguration()
        // A private server on loopback for one user: the quickstart's own polling is not throttled.
        configuration.rateLimits.enabled = false
        server = ReferenceServer(options: .quiet(dataDirectory: directory + "/server", configuration: configuration))
    }

    private var console: Console { context.console }
    private var styler: Styler { context.styler }

    private func say(_ label: String, _ text: String) {
        console.writeLine(styler.apply(.bold, to: label.padding(toLength: 9, withPad: " ", startingAt: 0)) + text)
    }

    /// Starts everything, runs the jobs and prints what happened; returns whether both jobs succeeded.
    func run() async throws -> Bool {
        try await server.start()
        isServerStarted.withLock { $0 = true }
        say("Server", "\(server.baseURL.absoluteString), data in \(directory)")
        let admin = AutoGitClient(baseURL: server.baseURL, credentials: .bearer(server.adminToken ?? ""))
        let registration = try await admin.tokens.create(name: "quickstart runners", role: .runner)

        let inventory = directory + "/fake-gpus.json"
        try Data(Self.fakeGPUs.utf8).write(to: URL(fileURLWithPath: inventory))
        let cpu = try await startAgent(
            role: "cpu", registrationToken: registration.token ?? "", labels: ["cpu"], extra: [], admin: admin)
        let gpu = try await startAgent(
            role: "gpu", registrationToken: registration.token ?? "", labels: ["cuda"], extra: ["--gpu-inventory", inventory],
            admin: admin)
        let runners = try await waitForRunners(named: [cpu.runnerName, gpu.runnerName], admin: admin)
        say("Runners", "\(cpu.runnerName) (CPU only) and \(gpu.runnerName) (2 fake A100 GPUs from \(inventory)) registered")

        let hello = try await admin.jobs.submit(Self.helloJob)
        let gpuCheck = try await admin.jobs.submit(Self.gpuJob)
        say("Jobs", "\(hello.name) (2 steps, label cpu) is \(hello.id); \(gpuCheck.name) (1 A100) is \(gpuCheck.id)")
        console.writeLine("")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for job in [hello, gpuCheck] {
                group.addTask { try await self.follow(job, admin: admin) }
            }
            try await group.waitForAll()
        }

        let finished = [try await admin.jobs.get(hello.id), try await admin.jobs.get(gpuCheck.id)]
        let runnerPage = try await admin.runners.listPage(limit: 50)
        let output = context.output
        console.writeLine("")
        console.writeLine(styler.apply(.bold, to: "Runners"))
        console.output(output.runnerTable(runnerPage.items.sorted { $0.name < $1.name }).render(width: console.width, styler: styler))
        console.writeLine("")
        console.writeLine(styler.apply(.bold, to: "Jobs"))
        console.output(output.jobTable(finished).render(width: console.width, styler: styler))
        _ = runners
        return finished.allSatisfy { $0.status == .succeeded }
    }

    /// Starts one agent through a `local` plugin of its own (its extra flags differ), in a session of its own.
    private func startAgent(
        role: String, registrationToken: String, labels: [String], extra: [String], admin: AutoGitClient
    ) async throws -> FleetingInstance {
        let plugin = LocalPlugin()
        let agentDirectory = directory + "/runner-\(role)"
        let settings: JSONValue = [
            "log_dir": .string(directory + "/agent-logs"),
            "working_directory": .string(directory),
            "stop_timeout": 10,
            "agent_arguments": .array(
                ["--work-dir", agentDirectory, "--concurrency", "1"].map(JSONValue.string) + extra.map(JSONValue.string)),
        ]
        _ = try await plugin.initialize(
            PluginSettings(
                providerName: "quickstart-\(role)", settings: settings,
                agent: AgentLaunch(serverURL: server.baseURL.absoluteString, registrationToken: registrationToken, labels: ["quickstart"])))
        guard let instance = try await plugin.provision(count: 1, shape: ProvisionShape(labels: labels)).first else {
            throw CLIError.failure("the \(role) runner agent did not start")
        }
        agents.withLock { $0.append(Agent(plugin: plugin, instance: instance, role: role)) }
        return instance
    }

    /// Waits until runners of these names are registered and take jobs.
    private func waitForRunners(named names: [String], admin: AutoGitClient) async throws -> [Runner] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let runners = try await admin.runners.listPage(labels: ["quickstart"], limit: 50).items.filter { names.contains($0.name) }
            if runners.count == names.count, runners.allSatisfy({ $0.status.acceptsJobs }) { return runners }
            for agent in agents.withLock({ $0 }) {
                if let reason = await agent.plugin.exitDescription(id: agent.instance.id) {
                    throw CLIError.failure("the \(agent.role) runner agent \(reason) before it registered")
                }
            }
            guard ContinuousClock.now < deadline else { throw CLIError.failure("the runner agents did not register within 30 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Prints the job's log lines as they come, each after the job's name, until the job ends.
    private func follow(_ job: Job, admin: AutoGitClient) async throws {
        let output = context.output
        let prefix = styler.apply(.cyan, to: "[\(job.name)]")
        for try await entry in admin.jobs.logs(job.id, after: 0, follow: true) {
            console.writeLine(prefix + " " + output.logLine(entry, showsStep: false))
        }
    }

    /// When something failed: the end of each agent's log, where the reason usually is.
    func showAgentLogs() {
        for agent in agents.withLock({ $0 }) {
            guard let path = agent.instance.metadata["log"], let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            console.writeErrorLine("--- \(agent.role) runner agent (\(path)), last lines:")
            for line in text.split(separator: "\n").suffix(15) { console.writeErrorLine("  " + line) }
        }
    }

    /// Drains and reaps the agents (SIGTERM to each agent's process group, SIGKILL after 10 s), shuts the server
    /// down and removes the temporary directory. Says what it did.
    func stop() async -> String {
        let started = agents.withLock { agents in
            defer { agents = [] }
            return agents
        }
        var done: [String] = []
        for agent in started {
            _ = try? await agent.plugin.deprovision(ids: [agent.instance.id])
        }
        if !started.isEmpty { done.append("\(started.count) runner agent\(started.count == 1 ? "" : "s") drained") }
        if isServerStarted.withLock({ $0 }) {
            await server.shutdown()
            done.append("server shut down")
        }
        try? FileManager.default.removeItem(atPath: directory)
        done.append("\(directory) removed")
        return done.joined(separator: ", ")
    }

    // MARK: - The sample jobs

    static let helloJob = JobSpec(
        name: "hello",
        steps: [
            JobStep(name: "greet", run: #"echo "Hello from $AUTOGIT_RUNNER_ID, running job $AUTOGIT_JOB_ID""#),
            JobStep(name: "inspect", run: #"echo "Step 2 on $(uname -sm), in $PWD; GREETING=$GREETING""#),
        ],
        environment: ["GREETING": "set by the job spec"], timeout: 60, requirements: JobRequirements(labels: ["cpu"]))

    static let gpuJob = JobSpec(
        name: "gpu-check",
        steps: [
            JobStep(
                name: "show-gpus", run: #"echo "This step may use GPU $CUDA_VISIBLE_DEVICES (CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES)""#)
        ],
        timeout: 60, requirements: JobRequirements(gpu: GPURequirement(count: 1, type: "a100")))

    /// Two A100s that exist only in this file: the agent reports them instead of detecting GPUs.
    static let fakeGPUs = """
        [
          {"index": 0, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920, "uuid": "GPU-fake-0"},
          {"index": 1, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920, "uuid": "GPU-fake-1"}
        ]
        """
}
