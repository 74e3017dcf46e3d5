import AutoGitClient
import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Synchronization
import Testing

/// A reference server in this process with one fleeting provider whose agents are the real `autogit` binary built
/// beside the tests, with short autoscaling timings; it records the server's log lines and the provisioning events,
/// and a scratch directory holds the agents' fake GPU inventory, work directories and logs.
final class AutoscalingServer: Sendable {
    let server: ReferenceServer
    let admin: AutoGitClient
    let scratch: TemporaryDirectory
    let events: EventRecorder
    private let logLines: Lines

    /// The server's log lines, shared with its log sink.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    /// The words every test agent gets: a one-GPU fake inventory and a work directory in the scratch folder.
    static func agentArguments(in scratch: TemporaryDirectory) throws -> [String] {
        let inventory = #"[{"index": 0, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920}]"#
        try Data(inventory.utf8).write(to: URL(fileURLWithPath: scratch.file("gpus.json")))
        return ["--gpu-inventory", scratch.file("gpus.json"), "--work-dir", scratch.file("work")]
    }

    /// Scale from zero to one instance, and back to zero two seconds after its last job.
    static let policy: JSONValue = ["min_idle": 0, "max_instances": 1, "idle_timeout": 2, "registration_timeout": 60]

    private init(server: ReferenceServer, admin: AutoGitClient, scratch: TemporaryDirectory, logLines: Lines) {
        self.server = server
        self.admin = admin
        self.scratch = scratch
        self.logLines = logLines
        events = EventRecorder(bus: server.eventBus, types: [.runnerProvisioned, .runnerDeprovisioned, .systemAlert])
    }

    /// Starts a server with `providers` (made with the scratch directory) on a loopback port. Given the scratch
    /// directory and port of a server that stopped, it starts that server again on the same data directory.
    static func start(
        backoff: Double = 30, restarting scratch: TemporaryDirectory? = nil, port: Int = 0,
        providers: (TemporaryDirectory) throws -> [ServerConfiguration.ProviderEntry]
    ) async throws -> AutoscalingServer {
        let scratch = try scratch ?? TemporaryDirectory("autogit-autoscale")
        var configuration = ServerConfiguration()
        configuration.rateLimits.enabled = false
        configuration.providers = try providers(scratch)
        configuration.autoscaling = .init(intervalSeconds: 2, reconcileIntervalSeconds: 2, failureBackoffSeconds: backoff)
        let lines = Lines()
        var options = ReferenceServer.Options.quiet(dataDirectory: scratch.file("data"), configuration: configuration)
        options.port = port
        let started = ContinuousClock.now
        options.log = { line in
            let elapsed = (ContinuousClock.now - started).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            lines.lines.withLock { $0.append(String(format: "%7.3f ", seconds) + line) }
        }
        let server = ReferenceServer(options: options)
        try await server.start()
        let token = try server.adminToken ?? String(contentsOfFile: server.adminTokenPath, encoding: .utf8)
        let admin = AutoGitClient(
            baseURL: server.baseURL, credentials: .bearer(token.trimmingCharacters(in: .whitespacesAndNewlines)))
        return AutoscalingServer(server: server, admin: admin, scratch: scratch, logLines: lines)
    }

    /// The server's log so far, for the message of a failed expectation.
    var log: String { logLines.lines.withLock { $0.suffix(60).joined(separator: "\n") } }

    func stop() async {
        events.stop()
        await server.shutdown()
    }

    /// A one-step job that needs one GPU and prints where it ran.
    func submitGPUJob(_ name: String = "scale-up") async throws -> Job {
        try await admin.jobs.submit(
            JobSpec(
                name: name, steps: [JobStep(name: "hello", run: "echo \"ran on $AUTOGIT_RUNNER_ID with GPU $CUDA_VISIBLE_DEVICES\"")],
                timeout: 120, requirements: JobRequirements(gpu: GPURequirement(count: 1))))
    }

    /// The whole story of issue 8 on one provider: a queued one-GPU job with no runner makes the autoscaler
    /// provision an instance, its agent registers and runs the job, and after the idle timeout the instance is
    /// deprovisioned and its runner removed. Returns the instance id the provider gave.
    @discardableResult
    func provisionsRunsAndScalesToZero(provider: String) async throws -> String {
        let job = try await submitGPUJob()
        let created = await events.first(within: .seconds(60)) {
            $0.type == .runnerProvisioned && $0.payload["provider"]?.stringValue == provider
        }
        let provisioned = try #require(created, "no runner_provisioned event from \(provider); server log:\n\(log)")
        let instanceID = try #require(provisioned.payload["instance_id"]?.stringValue)
        let runnerID = try #require(provisioned.payload["runner_id"]?.stringValue)
        #expect(provisioned.payload["reason"]?.stringValue == "demand")

        let succeeded = try await eventually(within: .seconds(90), every: .milliseconds(200)) {
            try await self.admin.jobs.get(job.id).status == .succeeded
        }
        let finished = try await admin.jobs.get(job.id)
        #expect(succeeded, "job ended \(finished.status) (\(finished.statusReason ?? "")); server log:\n\(log)")
        #expect(finished.runnerID == runnerID, "the job ran on another runner than the one provisioned; server log:\n\(log)")
        let lines = try await admin.jobs.logPage(job.id, lines: 100).items.map(\.message)
        #expect(lines.contains("ran on \(runnerID) with GPU 0"), "job output: \(lines)")

        let deprovisioned = await events.first(within: .seconds(60)) {
            $0.type == .runnerDeprovisioned && $0.payload["runner_id"]?.stringValue == runnerID
        }
        #expect(deprovisioned?.payload["reason"]?.stringValue == "idle_timeout", "server log:\n\(log)")
        #expect(deprovisioned?.payload["provider"]?.stringValue == provider)
        #expect(deprovisioned?.payload["instance_id"]?.stringValue == instanceID)
        #expect(
            try await eventually(within: .seconds(10), every: .milliseconds(200)) {
                try await self.admin.providers.get(provider).instances.isEmpty
            },
            "the provider still lists instances")
        #expect(
            await eventually(every: .milliseconds(200)) { (try? await self.admin.runners.get(runnerID)) == nil },
            "the runner record is still there")
        return instanceID
    }
}

/// Runs `body` against a fresh ``AutoscalingServer``, then stops it and runs `cleanup` whether `body` threw or not.
func withAutoscalingServer(
    backoff: Double = 30, providers: (TemporaryDirectory) throws -> [ServerConfiguration.ProviderEntry],
    cleanup: @escaping @Sendable () async -> Void = {}, _ body: (AutoscalingServer) async throws -> Void
) async throws {
    let server = try await AutoscalingServer.start(backoff: backoff, providers: providers)
    try await withCleanup {
        try await body(server)
    } cleanup: {
        await server.stop()
        await cleanup()
        server.scratch.remove()
    }
}
