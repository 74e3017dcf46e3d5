import AutoGitClient
import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitRunner

/// The agent's loop against an in-process stub of the server's agent endpoints, with real child processes.
@Suite("runner agent")
struct RunnerAgentTests {
    /// An agent running against a stub server, stopped and cleaned up by ``finish()``.
    struct Harness {
        let server: StubServer
        let agent: RunnerAgent
        let directory: TemporaryDirectory
        let run: Task<RunnerError?, Never>
        let log: LogBox
        /// Set when the agent talks to the stub over a loopback socket with URLSession rather than in process.
        let loopback: LoopbackStub?

        static func start(
            concurrency: Int = 1, labels: [String] = ["cuda", "linux"], gpuInventory: String? = nil, token: String? = nil,
            server: StubServer = StubServer(), overLoopback: Bool = false
        ) async throws -> Harness {
            let directory = try TemporaryDirectory()
            let loopback =
                overLoopback
                ? try await LoopbackStub.start { method, target, authorization, body in
                    await server.handle(method: method, target: target, authorization: authorization, body: body)
                } : nil
            let inventoryFile = try gpuInventory.map { try directory.write($0, to: "gpus.json") }
            let agentLog = LogBox()
            let configuration = RunnerAgentConfiguration(
                serverURL: loopback?.url ?? URL(string: "http://stub.invalid")!, registrationToken: token ?? server.registrationToken,
                name: "test-runner",
                labels: labels, concurrency: concurrency, workDirectory: directory.path + "/work", gpuInventoryFile: inventoryFile,
                pollWait: 1, heartbeatInterval: .milliseconds(50), killGracePeriod: .seconds(2), retryDelay: .milliseconds(20),
                maxRetryDelay: .milliseconds(200), logUploadTimeout: .seconds(20), finalReportTimeout: .seconds(20),
                environment: ["PATH": "/usr/bin:/bin", "GATE": directory.path + "/gate", "AUTOGIT_REGISTRATION_TOKEN": "secret"],
                toolSearchPath: [], version: "test", log: { agentLog.add($0) })
            let agent = RunnerAgent(configuration: configuration, transport: loopback == nil ? await server.transport : nil)
            let run = Task { () -> RunnerError? in
                do throws(RunnerError) {
                    try await agent.run()
                    return nil
                } catch {
                    return error
                }
            }
            return Harness(server: server, agent: agent, directory: directory, run: run, log: agentLog, loopback: loopback)
        }

        /// Runs `body` with a started harness, then stops the agent and cleans up whether `body` threw or not.
        static func with(
            concurrency: Int = 1, gpuInventory: String? = nil, token: String? = nil, server: StubServer = StubServer(),
            overLoopback: Bool = false, _ body: (Harness) async throws -> Void
        ) async throws {
            let harness = try await start(
                concurrency: concurrency, gpuInventory: gpuInventory, token: token, server: server, overLoopback: overLoopback)
            do {
                try await body(harness)
            } catch {
                await harness.finish()
                throw error
            }
            await harness.finish()
        }

        /// Stops the agent (killing whatever still runs) and removes its files.
        func finish() async {
            agent.stop()
            _ = await run.value
            await loopback?.stop()
            directory.remove()
        }

        func waitForFinalUpdate(of id: String) async -> JobUpdate? {
            _ = await eventually("job \(id) to end") { await server.finalUpdate(of: id) != nil }
            return await server.finalUpdate(of: id)
        }
    }

    static let twoGPUs = """
        [{"index": 0, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920},
         {"index": 1, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920}]
        """

    @Test(
        "register, heartbeat, take a job, run its two steps with their environment, report, then drain and sign off",
        arguments: [false, true])
    func fullLoop(overLoopback: Bool) async throws {
        try await Harness.with(gpuInventory: Self.twoGPUs, overLoopback: overLoopback) { harness in
            let server = harness.server
            let spec = JobSpec(
                name: "two steps",
                steps: [
                    JobStep(
                        name: "first",
                        run:
                            #"echo "job=$AUTOGIT_JOB_ID runner=$AUTOGIT_RUNNER_ID cuda=$CUDA_VISIBLE_DEVICES greeting=$GREETING secret=${AUTOGIT_REGISTRATION_TOKEN:-none}"; echo carried > note.txt"#
                    ),
                    JobStep(name: "second", run: "cat note.txt; echo to-stderr >&2"),
                ],
                environment: ["GREETING": "hi"])
            await server.enqueue(spec, id: "job-1", gpus: [1])
            let final = try #require(await harness.waitForFinalUpdate(of: "job-1"))
            #expect(final.status == .succeeded)
            #expect(final.exitCode == 0)
            #expect(final.stepResults?.map(\.status) == [.succeeded, .succeeded])
            #expect(final.stepResults?.map(\.exitCode) == [0, 0])
            #expect(await server.updates["job-1"]?.first?.status == .running)
            #expect(
                await server.messages(of: "job-1", stream: .stdout) == [
                    "job=job-1 runner=runner-stub cuda=1 greeting=hi secret=none", "carried",
                ])
            #expect(await server.messages(of: "job-1", stream: .stderr) == ["to-stderr"])
            let sequences = await server.logs["job-1"]?.map(\.sequence) ?? []
            #expect(sequences == (1...sequences.count).map { Optional($0) })

            let registration = try #require(await server.registrations.first)
            #expect(registration.name == "test-runner")
            #expect(registration.labels == ["cuda", "linux"])
            #expect(registration.gpus.count == 2)
            #expect(registration.maxConcurrentJobs == 1)
            #expect(registration.architecture != nil)
            #expect((registration.resources?.cpuCores ?? 0) >= 1)
            #expect(await server.authorizations["register"] == ["Bearer registration-token"])
            #expect(await server.authorizations["agent"] == ["Bearer runner-token"])
            #expect(await eventually("a heartbeat with GPU readings") { await server.heartbeats.contains { $0.gpus.count == 2 } })

            harness.agent.drain()
            #expect(await harness.run.value == nil)
            #expect(await server.deleteRequests == 1)
            #expect(await server.heartbeats.last?.runningJobIDs == [])
            #expect(harness.agent.jobsTaken == 1)
        }
    }

    @Test("a failing step reports its exit code, fails the job, and the steps after it are skipped")
    func failingStep() async throws {
        try await Harness.with { harness in
            let spec = JobSpec(
                name: "fails",
                steps: [JobStep(name: "ok", run: "true"), JobStep(name: "bad", run: "exit 3"), JobStep(name: "never", run: "true")])
            await harness.server.enqueue(spec, id: "job-f")
            let final = try #require(await harness.waitForFinalUpdate(of: "job-f"))
            #expect(final.status == .failed)
            #expect(final.exitCode == 3)
            #expect(final.stepResults?.map(\.status) == [.succeeded, .failed, .skipped])
            #expect(final.stepResults?.map(\.exitCode) == [0, 3, nil])
        }
    }

    @Test("a job cancelled on the server is stopped at the next heartbeat, its process group with it", arguments: [false, true])
    func cancelThroughHeartbeat(overLoopback: Bool) async throws {
        try await Harness.with(overLoopback: overLoopback) { harness in
            let reaper = ChildReaper()
            defer {
                reaper.killAll()
            }
            let server = harness.server
            await server.enqueue(JobSpec(name: "long", steps: [JobStep(name: "sleep", run: "sleep 300 & echo $!; wait")]), id: "job-c")
            #expect(await eventually("the step to print its child's pid") { await !server.messages(of: "job-c", stream: .stdout).isEmpty })
            for line in await server.messages(of: "job-c", stream: .stdout) { reaper.track(line) }
            await server.cancel("job-c")
            let final = try #require(await harness.waitForFinalUpdate(of: "job-c"))
            #expect(final.status == .cancelled)
            #expect(final.stepResults?.first?.status == .cancelled)
            let grandchild = try #require(reaper.tracked.first)
            #expect(await eventually("the sleep to die") { isGone(grandchild) })
        }
    }

    @Test("a job past its timeout is killed, grandchildren too, and reported timed out")
    func timeout() async throws {
        try await Harness.with { harness in
            let reaper = ChildReaper()
            defer {
                reaper.killAll()
            }
            let server = harness.server
            await server.enqueue(
                JobSpec(name: "slow", steps: [JobStep(name: "sleep", run: "sleep 300 & echo $!; wait")], timeout: 1), id: "job-t")
            let final = try #require(await harness.waitForFinalUpdate(of: "job-t"))
            for line in await server.messages(of: "job-t", stream: .stdout) { reaper.track(line) }
            #expect(final.status == .timedOut)
            #expect(final.stepResults?.first?.status == .timedOut)
            let grandchild = try #require(reaper.tracked.first)
            #expect(await eventually("the sleep to die") { isGone(grandchild) })
        }
    }

    @Test("draining lets the running job finish, takes no new job, and makes run() return", arguments: [false, true])
    func drain(overLoopback: Bool) async throws {
        try await Harness.with(concurrency: 1, overLoopback: overLoopback) { harness in
            let server = harness.server
            let gated = JobStep(name: "gated", run: #"echo started; while [ ! -f "$GATE" ]; do sleep 0.02; done; echo finished"#)
            await server.enqueue(JobSpec(name: "first", steps: [gated]), id: "job-1")
            #expect(await eventually("the first job to start") { await server.messages(of: "job-1", stream: .stdout) == ["started"] })
            harness.agent.drain()
            let requestsAtDrain = await server.jobRequests
            await server.enqueue(JobSpec(name: "second", steps: [JobStep(name: "s", run: "true")]), id: "job-2")
            _ = FileManager.default.createFile(atPath: harness.directory.path + "/gate", contents: Data())
            #expect(await harness.run.value == nil)
            #expect(await server.finalUpdate(of: "job-1")?.status == .succeeded)
            #expect(await server.messages(of: "job-1", stream: .stdout) == ["started", "finished"])
            #expect(await server.queue.map(\.id) == ["job-2"])
            #expect(await server.jobRequests == requestsAtDrain)
            #expect(await server.deleteRequests == 1)
        }
    }

    @Test("stop() terminates running jobs' process groups and reports them failed, so their retries can run elsewhere")
    func stopKillsRunningJobs() async throws {
        try await Harness.with { harness in
            let reaper = ChildReaper()
            defer { reaper.killAll() }
            let server = harness.server
            await server.enqueue(JobSpec(name: "long", steps: [JobStep(name: "sleep", run: "sleep 300 & echo $!; wait")]), id: "job-s")
            #expect(await eventually("the step to print its child's pid") { await !server.messages(of: "job-s", stream: .stdout).isEmpty })
            for line in await server.messages(of: "job-s", stream: .stdout) { reaper.track(line) }
            harness.agent.stop()
            #expect(await harness.run.value == nil)
            let final = try #require(await server.finalUpdate(of: "job-s"))
            #expect(final.status == .failed)
            #expect(final.statusReason == "the runner agent stopped")
            let grandchild = try #require(reaper.tracked.first)
            #expect(await eventually("the sleep to die") { isGone(grandchild) })
        }
    }

    @Test("with concurrency 2 two jobs run at the same time")
    func concurrency() async throws {
        try await Harness.with(concurrency: 2) { harness in
            let server = harness.server
            let marks = harness.directory.path
            // Each job waits for the other's mark: they finish only if they run together.
            for (mine, theirs) in [("a", "b"), ("b", "a")] {
                let step = JobStep(name: "meet", run: "touch \(marks)/\(mine); while [ ! -f \(marks)/\(theirs) ]; do sleep 0.02; done")
                await server.enqueue(JobSpec(name: mine, steps: [step], timeout: 60), id: "job-\(mine)")
            }
            #expect(await harness.waitForFinalUpdate(of: "job-a")?.status == .succeeded)
            #expect(await harness.waitForFinalUpdate(of: "job-b")?.status == .succeeded)
            #expect(await server.registrations.first?.maxConcurrentJobs == 2)
        }
    }

    @Test("while the server holds the runner as draining the agent does not poll, and it resumes when active again")
    func serverHeldStatus() async throws {
        let server = StubServer()
        await server.setStatus(.draining)
        try await Harness.with(server: server) { harness in
            await server.enqueue(JobSpec(name: "waits", steps: [JobStep(name: "s", run: "echo ran")]), id: "job-w")
            #expect(await eventually("two heartbeats") { await server.heartbeats.count >= 2 })
            let requests = await server.jobRequests
            let beats = await server.heartbeats.count
            #expect(await eventually("five more heartbeats") { await server.heartbeats.count >= beats + 5 })
            #expect(await server.jobRequests <= requests + 1)
            await server.setStatus(.active)
            #expect(await harness.waitForFinalUpdate(of: "job-w")?.status == .succeeded)
        }
    }

    @Test("a registration the server refuses ends run() with REGISTRATION_FAILED")
    func refusedRegistration() async throws {
        try await Harness.with(token: "wrong") { harness in
            let error = await harness.run.value
            #expect(error?.code == .registrationFailed)
        }
    }
}

/// The agent's log lines, for debugging a failed test.
final class LogBox: Sendable {
    private let lines = Mutex<[String]>([])

    func add(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }
}
