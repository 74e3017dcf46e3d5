import AutoGitCore
import AutoGitTestSupport
import Foundation
import Testing

@testable import AutoGitFleeting

@Suite("slurm plugin on a real single-node Slurm", .serialized, Engine.slurm.condition, .engine(.slurm))
struct SlurmPluginTests {
    /// A plugin whose agent is the fake agent, recording into `directory`.
    private func makePlugin(
        _ directory: TemporaryDirectory, name: String, extra: [String: JSONValue] = [:]
    ) async throws -> (
        SlurmPlugin, ProviderInfo
    ) {
        let engine = try EngineEnvironment.current(.slurm)
        let agent = try directory.script("agent.sh", FakeAgent.script(markerDirectory: directory.path))
        var values: [String: JSONValue] = [
            "slurm_conf": .string(try engine["SLURM_CONF"]),
            "partition": .string(try engine["AUTOGIT_SLURM_PARTITION"]),
            "time_limit": 10,
            "command": [.string(agent), "--name", "{runner_name}"],
            "output": .string(directory.file("%x-%j.out")),
            "offers": [["id": "fake1", "gpu_type": "fake", "gpu_count": 1]],
        ]
        for (key, value) in extra { values[key] = value }
        let plugin = SlurmPlugin()
        let info = try await plugin.initialize(
            PluginSettings(
                providerName: name, settings: .object(values),
                agent: AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "agt_slurm")))
        return (plugin, info)
    }

    /// The jobs of `provider` that Slurm still runs or queues, straight from squeue.
    private func activeJobs(comment provider: String) async throws -> [String] {
        let engine = try EngineEnvironment.current(.slurm)
        let result = try await CommandRunner.run(
            Command("squeue", ["--noheader", "--format=%i %k"], environment: ["SLURM_CONF": try engine["SLURM_CONF"]]))
        #expect(result.succeeded, "squeue: \(result.errorOutput)")
        return result.output.split(separator: "\n").filter { $0.hasSuffix("autogit:provider=\(provider)") }.map(String.init)
    }

    @Test("a 1-GPU instance: queued as creating, then running with its GPU in CUDA_VISIBLE_DEVICES; deprovision empties squeue")
    func lifecycle() async throws {
        let directory = try TemporaryDirectory()
        let (plugin, info) = try await makePlugin(directory, name: "slurm-life")
        #expect(info.name == "slurm" && info.offers.first?.gpuCount == 1 && info.capabilities.contains(.reportsPreemption))
        var created: [FleetingInstance] = []
        try await withCleanup {
            created = try await plugin.provision(count: 1, shape: ProvisionShape(offerID: "fake1", gpuType: "fake", gpuCount: 1))
            let instance = try #require(created.first)
            #expect(instance.state == .creating)
            #expect(instance.runnerName.hasPrefix("slurm-life-") && Int(instance.id) != nil)

            var seen: [FleetingInstanceState] = []
            let running = try await eventually {
                let state = try await plugin.status(id: instance.id)
                if seen.last != state { seen.append(state) }
                return state == .running
            }
            #expect(running, "states seen: \(seen)")
            #expect(seen.allSatisfy { $0 == .creating || $0 == .running })

            #expect(await eventually { FakeAgent.environment(in: directory.path, runnerName: instance.runnerName) != nil })
            let environment = try #require(FakeAgent.environment(in: directory.path, runnerName: instance.runnerName))
            #expect(["0", "1"].contains(environment["CUDA_VISIBLE_DEVICES"] ?? "none"))
            #expect(["0", "1"].contains(environment["SLURM_JOB_GPUS"] ?? "none"))
            #expect(environment["SLURM_JOB_ID"] == instance.id)
            #expect(environment[FleetingTags.runnerName] == instance.runnerName)
            #expect(environment[FleetingTags.provider] == "slurm-life")
            #expect(environment[FleetingTags.gpuCount] == "1")
            #expect(FakeAgent.arguments(in: directory.path, runnerName: instance.runnerName) == ["--name", instance.runnerName])

            let listed = try await plugin.list()
            #expect(listed.map(\.id) == [instance.id])
            #expect(listed.first?.state == .running && listed.first?.metadata["node"] == "localhost")
            #expect(listed.first?.runnerName == instance.runnerName)
            #expect(try await plugin.connectInfo(id: instance.id).address == "localhost")

            let agentPID = try #require(FakeAgent.pid(in: directory.path, runnerName: instance.runnerName))
            #expect(try await plugin.deprovision(ids: [instance.id]) == [instance.id])
            #expect(try await eventually { try await plugin.status(id: instance.id) == .gone })
            #expect(try await activeJobs(comment: "slurm-life").isEmpty)
            #expect(try await plugin.list().isEmpty)
            #expect(await eventually { ProcessInspector.snapshot(pid: agentPID)?.isAlive != true })
            // Idempotent: deprovisioning again is a quiet success.
            #expect(try await plugin.deprovision(ids: [instance.id]) == [instance.id])
        } cleanup: {
            _ = try? await plugin.deprovision(ids: created.map(\.id))
            directory.remove()
        }
    }

    @Test("three 1-GPU instances on two GPUs: two run on different GPUs, the third waits for resources")
    func gpuCapacity() async throws {
        let directory = try TemporaryDirectory()
        let (plugin, _) = try await makePlugin(directory, name: "slurm-capacity")
        var created: [FleetingInstance] = []
        try await withCleanup {
            created = try await plugin.provision(count: 3, shape: ProvisionShape(gpuType: "fake", gpuCount: 1))
            #expect(created.count == 3)
            let settled = try await eventually {
                let states = try await plugin.list().map(\.state)
                return states.filter { $0 == .running }.count == 2 && states.filter { $0 == .creating }.count == 1
            }
            let snapshot = try await plugin.list().map { "\($0.id) \($0.state) \($0.reason ?? "")" }
            #expect(settled, "list: \(snapshot)")
            let running = try await plugin.list().filter { $0.state == .running }
            #expect(await eventually { running.allSatisfy { FakeAgent.environment(in: directory.path, runnerName: $0.runnerName) != nil } })
            let gpus = running.compactMap { FakeAgent.environment(in: directory.path, runnerName: $0.runnerName)?["SLURM_JOB_GPUS"] }
            #expect(Set(gpus) == ["0", "1"])
            let waiting = try await plugin.list().first { $0.state == .creating }
            #expect(waiting?.reason == "Resources" || waiting?.reason == "Priority" || waiting?.reason == nil)
            #expect(Set(try await plugin.deprovision(ids: created.map(\.id))) == Set(created.map(\.id)))
            #expect(try await eventually { try await activeJobs(comment: "slurm-capacity").isEmpty })
        } cleanup: {
            _ = try? await plugin.deprovision(ids: created.map(\.id))
            directory.remove()
        }
    }

    @Test("a job Slurm refuses (more GPUs than the node has) is a clear PLUGIN_REJECTED error and leaves nothing behind")
    func rejected() async throws {
        let directory = try TemporaryDirectory()
        let (plugin, _) = try await makePlugin(directory, name: "slurm-reject")
        let error = await #expect(throws: CoreError.self) {
            try await plugin.provision(count: 2, shape: ProvisionShape(gpuType: "fake", gpuCount: 3))
        }
        #expect(error?.code == .pluginRejected)
        #expect(error?.message.contains("Requested node configuration is not available") == true, "\(String(describing: error))")
        #expect(try await plugin.list().isEmpty)
        #expect(try await activeJobs(comment: "slurm-reject").isEmpty)
        directory.remove()
    }

    @Test("unknown and foreign ids are gone and deprovision of them is a no-op")
    func unknownIDs() async throws {
        let directory = try TemporaryDirectory()
        let (plugin, _) = try await makePlugin(directory, name: "slurm-unknown")
        #expect(try await plugin.status(id: "999999") == .gone)
        #expect(try await plugin.status(id: "not-a-job") == .gone)
        #expect(try await plugin.deprovision(ids: ["999999", "x"]) == ["999999", "x"])
        directory.remove()
    }

    @Test("a Slurm that cannot be reached fails initialize with PLUGIN_UNAVAILABLE")
    func unreachable() async throws {
        let directory = try TemporaryDirectory()
        let conf = directory.file("slurm.conf")
        try Data("ClusterName=none\nSlurmctldHost=localhost(127.0.0.1)\nSlurmctldPort=9\nAuthType=auth/none\n".utf8)
            .write(to: URL(fileURLWithPath: conf))
        let plugin = SlurmPlugin()
        let error = await #expect(throws: CoreError.self) {
            try await plugin.initialize(
                PluginSettings(
                    providerName: "slurm-down", settings: ["slurm_conf": .string(conf), "command_timeout": 2],
                    agent: AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "t")))
        }
        #expect(error?.code == .pluginUnavailable)
        directory.remove()
    }
}
