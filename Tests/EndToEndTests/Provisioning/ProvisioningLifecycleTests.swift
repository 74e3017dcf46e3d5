import AutoGitClient
import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ProvisioningEndToEndTests {
    /// What happens to provisioned instances besides scaling up and down: lost agents, agents that never register,
    /// instances of nobody, draining on request, a server restart and a server shutdown. All with the local plugin and
    /// the real agent.
    @Suite("provisioned instances over their life")
    struct ProvisioningLifecycleTests {
        static func provider(
            _ name: String, in scratch: TemporaryDirectory, policy: JSONValue, extra: [String: JSONValue] = [:]
        ) throws -> ServerConfiguration.ProviderEntry {
            var entry = try LocalAutoscalingTests.provider(name, in: scratch)
            entry.policy = policy
            if case .object(var settings) = entry.settings {
                for (key, value) in extra { settings[key] = value }
                entry.settings = .object(settings)
            }
            return entry
        }

        /// A job that had started uses an attempt when its runner is lost (the engine's re-queue rules,
        /// Docs/scheduling.md), so it needs a retry to run again.
        @Test("a runner lost while running (its agent killed) has its job re-queued, and a new instance runs it")
        func lostRunner() async throws {
            try await withAutoscalingServer {
                [try Self.provider("local-lost", in: $0, policy: AutoscalingServer.policy)]
            } cleanup: {
                TaggedProcesses.killAll(provider: "local-lost")
            } _: { server in
                let marker = server.scratch.file("first-attempt")
                let stepPID = server.scratch.file("step.pid")
                let job = try await server.admin.jobs.submit(
                    JobSpec(
                        name: "survivor",
                        steps: [
                            JobStep(
                                name: "once",
                                run:
                                    "if [ -e '\(marker)' ]; then echo second run; else touch '\(marker)'; echo $$ > '\(stepPID)'; sleep 600; fi"
                            )
                        ], timeout: 120, retryCount: 1, requirements: JobRequirements(gpu: GPURequirement(count: 1))))
                #expect(
                    try await eventually(within: .seconds(60), every: .milliseconds(200)) {
                        try await server.admin.jobs.get(job.id).status == .running
                    })
                let first = try await server.admin.jobs.get(job.id)
                let runner = try await server.admin.runners.get(try #require(first.runnerID))
                let agent = try #require(runner.instanceID.flatMap(Int32.init))
                #expect(await eventually(every: .milliseconds(200)) { FileManager.default.fileExists(atPath: stepPID) })
                let step = try #require(
                    (try? String(contentsOfFile: stepPID, encoding: .utf8)).flatMap {
                        Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
                    })

                kill(-agent, SIGKILL)
                kill(-step, SIGKILL)

                let lost = await server.events.first(within: .seconds(30)) {
                    $0.type == .runnerDeprovisioned && $0.payload["runner_id"]?.stringValue == runner.id
                }
                #expect(lost?.payload["reason"]?.stringValue == "vanished", "server log:\n\(server.log)")
                let alert = await server.events.first {
                    $0.type == .systemAlert && $0.payload["details"]?["instance_id"]?.stringValue == String(agent)
                }
                #expect(alert?.payload["level"]?.stringValue == "warn")
                #expect(
                    try await eventually(within: .seconds(60), every: .milliseconds(200)) {
                        try await server.admin.jobs.get(job.id).status == .succeeded
                    },
                    "server log:\n\(server.log)")
                let second = try await server.admin.jobs.get(job.id)
                #expect(second.runnerID != runner.id, "the job ran again on a new runner")
                #expect(second.attempt == 2, "the lost run used the first attempt")
                #expect(try await server.admin.jobs.logPage(job.id).items.map(\.message).contains("second run"))
            }
        }

        @Test("an instance whose agent never registers is removed after registration_timeout, with an event and an alert")
        func neverRegisters() async throws {
            try await withAutoscalingServer {
                [
                    try Self.provider(
                        "local-silent", in: $0, policy: ["max_instances": 1, "registration_timeout": 1],
                        extra: ["command": ["/bin/sleep", "600"]])
                ]
            } cleanup: {
                TaggedProcesses.killAll(provider: "local-silent")
            } _: { server in
                let job = try await server.submitGPUJob()
                let created = await server.events.first(within: .seconds(30)) { $0.type == .runnerProvisioned }
                let provisioned = try #require(created, "nothing was provisioned; server log:\n\(server.log)")
                let runnerID = provisioned.payload["runner_id"]?.stringValue ?? ""
                let removed = await server.events.first(within: .seconds(30)) {
                    $0.type == .runnerDeprovisioned && $0.payload["runner_id"]?.stringValue == runnerID
                }
                #expect(removed?.payload["reason"]?.stringValue == "registration_timeout", "server log:\n\(server.log)")
                let alert = await server.events.first {
                    $0.type == .systemAlert && $0.payload["message"]?.stringValue?.contains("never registered") == true
                }
                #expect(alert != nil)
                let pid = try #require(provisioned.payload["instance_id"]?.stringValue.flatMap(Int32.init))
                #expect(
                    await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) },
                    "the silent instance (pid \(pid)) still runs")
                #expect(try await server.admin.jobs.get(job.id).status == .queued)
            }
        }

        @Test("an instance the server did not create is reported once and left alone")
        func unknownInstance() async throws {
            let stranger = Process()
            stranger.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            stranger.arguments = ["/bin/sleep", "60"]
            stranger.environment = [
                "AUTOGIT_FLEETING_PROVIDER": "local-known", "AUTOGIT_FLEETING_PLUGIN": "local", "AUTOGIT_RUNNER_NAME": "stranger",
            ]
            try stranger.run()
            // setsid forks when it leads a process group already: the stranger is found by its tag, not by the child's pid.
            var found: [Int32] = []
            _ = await eventually(every: .milliseconds(200)) {
                found = TaggedProcesses.pids(provider: "local-known").filter {
                    TaggedProcesses.environment(of: $0)["AUTOGIT_RUNNER_NAME"] == "stranger"
                }
                return !found.isEmpty
            }
            let pid = try #require(found.first, "the stranger process did not start")
            try await withAutoscalingServer {
                [try Self.provider("local-known", in: $0, policy: AutoscalingServer.policy)]
            } cleanup: {
                kill(pid, SIGKILL)
            } _: { server in
                let alert = await server.events.first(within: .seconds(30)) {
                    $0.type == .systemAlert && $0.payload["details"]?["instance_id"]?.stringValue == String(pid)
                }
                #expect(alert?.payload["details"]?["runner_name"]?.stringValue == "stranger", "server log:\n\(server.log)")
                // Reconciliation runs every two seconds: more rounds report nothing new and touch nothing.
                try await Task.sleep(for: .seconds(4.5))
                #expect(server.events.all.filter { $0.type == .systemAlert }.count == 1)
                #expect(TaggedProcesses.isAlive(pid))
                #expect(try await server.admin.providers.get("local-known").instances.isEmpty)
            }
        }

        @Test("DELETE of a provisioned runner with a running job drains it: the job finishes, then the instance goes")
        func deleteDrains() async throws {
            try await withAutoscalingServer {
                [try Self.provider("local-drain", in: $0, policy: ["max_instances": 1, "idle_timeout": 600])]
            } cleanup: {
                TaggedProcesses.killAll(provider: "local-drain")
            } _: { server in
                let admin = server.admin
                let runner = try #require(try await admin.runners.provision(RunnerProvisionRequest(gpuCount: 1)).first)
                let pid = try #require(runner.instanceID.flatMap(Int32.init))
                let gate = server.scratch.file("gate")
                let job = try await admin.jobs.submit(
                    JobSpec(
                        name: "slow", steps: [JobStep(name: "wait", run: "while [ ! -e '\(gate)' ]; do sleep 0.1; done; echo done")],
                        timeout: 120, requirements: JobRequirements(gpu: GPURequirement(count: 1))))
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        try await admin.jobs.get(job.id).status == .running
                    })

                let result = try await admin.runners.delete(runner.id)
                #expect(result.status == "draining", "\(result.message ?? "")")
                #expect(try await admin.runners.get(runner.id).status == .draining)
                #expect(TaggedProcesses.isAlive(pid))
                #expect(try await admin.providers.get("local-drain").instances.first?.removalReason == "request")

                _ = FileManager.default.createFile(atPath: gate, contents: nil)
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        try await admin.jobs.get(job.id).status == .succeeded
                    })
                #expect(
                    await eventually(every: .milliseconds(200)) { (try? await admin.runners.get(runner.id)) == nil },
                    "server log:\n\(server.log)")
                #expect(await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) })
            }
        }

        @Test("a provider added with PATCH /v1/config starts and serves demand; removed, it goes once its instances have")
        func providerAddedAndRemoved() async throws {
            try await withAutoscalingServer { _ in
                []
            } cleanup: {
                TaggedProcesses.killAll(provider: "local-patched")
            } _: { server in
                let admin = server.admin
                let entry = try Self.provider("local-patched", in: server.scratch, policy: ["max_instances": 1, "idle_timeout": 600])
                _ = try await admin.config.patch(["providers": [try JSONValue(encoding: entry)]])
                let job = try await server.submitGPUJob()
                #expect(
                    try await eventually(within: .seconds(60), every: .milliseconds(200)) {
                        try await admin.jobs.get(job.id).status == .succeeded
                    }, "server log:\n\(server.log)")
                let instance = try #require(try await admin.providers.get("local-patched").instances.first)
                let pid = try #require(Int32(instance.id))

                _ = try await admin.config.patch(["providers": []])
                // Being removed, the provider lets its idle instance go at once, then disappears.
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) { try await admin.providers.list().isEmpty },
                    "server log:\n\(server.log)")
                #expect(await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) })
                let removed = server.events.all.first {
                    $0.type == .runnerDeprovisioned && $0.payload["instance_id"]?.stringValue == instance.id
                }
                #expect(removed?.payload["reason"]?.stringValue == "over_max_instances")
            }
        }

        @Test("a restarted server finds its instances again; shutdown stops local agents unless told otherwise, even at once")
        func restartAndShutdown() async throws {
            let scratch = try TemporaryDirectory("autogit-autoscale")
            defer { TaggedProcesses.killAll(provider: "local-kept") }
            let providers: (TemporaryDirectory) throws -> [ServerConfiguration.ProviderEntry] = { scratch in
                var entry = try Self.provider("local-kept", in: scratch, policy: ["max_instances": 2, "idle_timeout": 600])
                entry.stopOnShutdown = false
                return [entry]
            }
            let first = try await AutoscalingServer.start(restarting: scratch, providers: providers)
            let port = first.server.port
            let runner: Runner
            do {
                runner = try #require(try await first.admin.runners.provision(RunnerProvisionRequest(gpuCount: 1)).first)
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        try await first.admin.runners.get(runner.id).status == .idle
                    })
            } catch {
                await first.stop()
                throw error
            }
            await first.stop()
            let pid = try #require(runner.instanceID.flatMap(Int32.init))
            #expect(TaggedProcesses.isAlive(pid), "stop_on_shutdown: false keeps the agent running")

            let second = try await AutoscalingServer.start(restarting: scratch, port: port, providers: providers)
            try await withCleanup {
                let listed = try await eventually(within: .seconds(20), every: .milliseconds(200)) {
                    try await second.admin.providers.get("local-kept").instances.map(\.id) == [String(pid)]
                }
                #expect(listed, "server log:\n\(second.log)")
                #expect(try await second.admin.runners.get(runner.id).provider == "local-kept")
                #expect(!second.events.all.contains { $0.type == .systemAlert }, "its own instance is not reported as unknown")
                // The agent talks to the server on the same port again.
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        try await second.admin.runners.get(runner.id).status == .idle
                    })
            } cleanup: {
                await second.stop()
            }
            #expect(TaggedProcesses.isAlive(pid))

            // stop_on_shutdown back to its default for local: the agent stops with the server, even one stopped at
            // once, before its loop started the plugin.
            var settings = try providers(scratch)
            settings[0].stopOnShutdown = nil
            let third = try await AutoscalingServer.start(restarting: scratch, port: port) { _ in settings }
            await third.stop()
            #expect(
                await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) },
                "the local agent outlived the server; its log:\n\(third.log)")
            scratch.remove()
        }
    }
}
