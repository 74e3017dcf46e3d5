import AutoGitCore
import AutoGitTestSupport
import Foundation
import Testing

@testable import AutoGitFleeting

@Suite("local plugin")
struct LocalPluginTests {
    private func settings(_ directory: TemporaryDirectory, agent: String, extra: JSONValue = [:], name: String) -> PluginSettings {
        var values: [String: JSONValue] = [
            "command": [.string(agent), "{runner_name}", "--server", "{server_url}", "--labels", "{labels}"],
            "log_dir": .string(directory.file("logs")),
            "stop_timeout": 5,
        ]
        for (key, value) in extra.objectValue ?? [:] { values[key] = value }
        return PluginSettings(
            providerName: name, settings: .object(values),
            agent: AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "agt_local", labels: ["fleet"]))
    }

    @Test("provision starts agents with their name, labels and tags; list and status see them; deprovision stops them")
    func lifecycle() async throws {
        let directory = try TemporaryDirectory()
        let agent = try directory.script("agent.sh", FakeAgent.script(markerDirectory: directory.path))
        let plugin = LocalPlugin()
        let info = try await plugin.initialize(settings(directory, agent: agent, name: "local-life"))
        #expect(info.name == "local" && info.offers.count == 1)

        var created: [FleetingInstance] = []
        try await withCleanup {
            created = try await plugin.provision(count: 2, shape: ProvisionShape(gpuCount: 0, labels: ["cuda"]))
            #expect(created.count == 2)
            #expect(Set(created.map(\.runnerName)).count == 2)
            for instance in created {
                #expect(instance.runnerName.hasPrefix("local-life-"))
                let recorded = await eventually { FakeAgent.environment(in: directory.path, runnerName: instance.runnerName) != nil }
                #expect(recorded, "the agent of \(instance.runnerName) never wrote its marker")
                let environment = try #require(FakeAgent.environment(in: directory.path, runnerName: instance.runnerName))
                #expect(environment[FleetingTags.provider] == "local-life")
                #expect(environment[FleetingTags.plugin] == "local")
                #expect(environment[FleetingTags.registrationToken] == "agt_local")
                #expect(
                    FakeAgent.arguments(in: directory.path, runnerName: instance.runnerName)
                        == [instance.runnerName, "--server", "http://127.0.0.1:9", "--labels", "fleet,cuda"])
                #expect(try await plugin.status(id: instance.id) == .running)
            }
            let listed = try await plugin.list()
            #expect(Set(listed.map(\.id)) == Set(created.map(\.id)))
            #expect(listed.allSatisfy { $0.state == .running })
            let log = try #require(created.first?.metadata["log"])
            #expect(await eventually { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("fake agent") == true })

            let removed = try await plugin.deprovision(ids: created.map(\.id))
            #expect(Set(removed) == Set(created.map(\.id)))
            for instance in created {
                #expect(try await plugin.status(id: instance.id) == .gone)
                #expect(ProcessInspector.snapshot(pid: Int32(instance.id)!)?.isAlive != true)
            }
            #expect(try await plugin.list().isEmpty)
            // Idempotent: a second deprovision reports them removed again and signals nothing.
            #expect(Set(try await plugin.deprovision(ids: created.map(\.id))) == Set(created.map(\.id)))
        } cleanup: {
            _ = try? await plugin.deprovision(ids: created.map(\.id))
            directory.remove()
        }
    }

    @Test("an agent that ignores SIGTERM is killed after stop_timeout")
    func stubbornAgent() async throws {
        let directory = try TemporaryDirectory()
        let agent = try directory.script("agent.sh", FakeAgent.script(markerDirectory: directory.path, ignoresTerm: true))
        let plugin = LocalPlugin()
        _ = try await plugin.initialize(settings(directory, agent: agent, extra: ["stop_timeout": 0.3], name: "local-stubborn"))
        var created: [FleetingInstance] = []
        try await withCleanup {
            created = try await plugin.provision(count: 1, shape: ProvisionShape())
            let instance = try #require(created.first)
            #expect(await eventually { FakeAgent.environment(in: directory.path, runnerName: instance.runnerName) != nil })
            #expect(try await plugin.deprovision(ids: [instance.id]) == [instance.id])
            #expect(try await plugin.status(id: instance.id) == .gone)
            // The whole session is gone: no `sleep` of the agent is left behind.
            let pid = Int32(instance.id)!
            let survivors = ProcessInspector.allPIDs().filter {
                ProcessInspector.snapshot(pid: $0).map { $0.sessionID == pid && $0.isAlive } == true
            }
            #expect(survivors.isEmpty)
        } cleanup: {
            _ = try? await plugin.deprovision(ids: created.map(\.id))
            directory.remove()
        }
    }

    @Test("an agent that exits on its own is reported gone with its exit status")
    func exitedAgent() async throws {
        let directory = try TemporaryDirectory()
        let agent = try directory.script("agent.sh", "#!/bin/sh\necho bye\nexit 7\n")
        let plugin = LocalPlugin()
        _ = try await plugin.initialize(settings(directory, agent: agent, name: "local-exit"))
        let created = try await plugin.provision(count: 1, shape: ProvisionShape())
        let instance = try #require(created.first)
        #expect(try await eventually { try await plugin.status(id: instance.id) == .gone })
        #expect(await plugin.exitDescription(id: instance.id) == "exited with status 7")
        #expect(try await plugin.list().isEmpty)
        _ = try await plugin.deprovision(ids: [instance.id])
        directory.remove()
    }

    @Test("an agent left by an earlier plugin instance is found by its tag and can be stopped")
    func leftoverAgent() async throws {
        let directory = try TemporaryDirectory()
        let agent = try directory.script("agent.sh", FakeAgent.script(markerDirectory: directory.path))
        let first = LocalPlugin()
        _ = try await first.initialize(settings(directory, agent: agent, name: "local-leftover"))
        var created: [FleetingInstance] = []
        let second = LocalPlugin()
        try await withCleanup {
            created = try await first.provision(count: 1, shape: ProvisionShape())
            let instance = try #require(created.first)
            _ = try await second.initialize(settings(directory, agent: agent, name: "local-leftover"))
            #expect(await eventually { FakeAgent.environment(in: directory.path, runnerName: instance.runnerName) != nil })
            let found = try await second.list()
            #expect(found.map(\.id) == [instance.id])
            #expect(found.first?.runnerName == instance.runnerName)
            #expect(try await second.status(id: instance.id) == .running)
            #expect(try await second.deprovision(ids: [instance.id]) == [instance.id])
            #expect(try await eventually { try await first.status(id: instance.id) == .gone })
        } cleanup: {
            _ = try? await first.deprovision(ids: created.map(\.id))
            directory.remove()
        }
    }

    @Test("a missing agent executable fails provision with a clear error and starts nothing")
    func missingExecutable() async throws {
        let directory = try TemporaryDirectory()
        let plugin = LocalPlugin()
        _ = try await plugin.initialize(settings(directory, agent: directory.file("missing-agent"), name: "local-missing"))
        let error = await #expect(throws: CoreError.self) { try await plugin.provision(count: 2, shape: ProvisionShape()) }
        #expect(error?.code == .pluginUnavailable)
        #expect(error?.message.contains("missing-agent") == true)
        #expect(try await plugin.list().isEmpty)
        directory.remove()
    }

    @Test("initialize rejects settings of the wrong type and a default agent binary that does not exist")
    func badSettings() async throws {
        let plugin = LocalPlugin()
        let agent = AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "t")
        let wrongType = await #expect(throws: CoreError.self) {
            try await plugin.initialize(PluginSettings(providerName: "p", settings: ["stop_timeout": "soon"], agent: agent))
        }
        #expect(wrongType?.code == .pluginConfiguration && wrongType?.field == "settings.stop_timeout")
        let missing = await #expect(throws: CoreError.self) {
            try await plugin.initialize(PluginSettings(providerName: "p", settings: ["executable": "/nonexistent/autogit"], agent: agent))
        }
        #expect(missing?.code == .pluginConfiguration)
        let badName = await #expect(throws: CoreError.self) {
            try await plugin.initialize(PluginSettings(providerName: "no spaces", agent: agent))
        }
        #expect(badName?.code == .pluginConfiguration)
    }
}
