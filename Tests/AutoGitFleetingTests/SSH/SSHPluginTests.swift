import AutoGitCore
import AutoGitTestSupport
import Foundation
import Testing

@testable import AutoGitFleeting

@Suite("ssh plugin against a private sshd", Engine.sshd.condition, .engine(.sshd))
struct SSHPluginTests {
    private func makeSettings(_ directory: TemporaryDirectory, name: String, extra: [String: JSONValue] = [:]) throws -> PluginSettings {
        let engine = try EngineEnvironment.current(.sshd)
        let agent = try directory.script("agent.sh", FakeAgent.script(markerDirectory: directory.path))
        var values: [String: JSONValue] = [
            "hosts": [["address": .string(try engine["AUTOGIT_SSH_HOST"]), "port": .number(Double(try engine["AUTOGIT_SSH_PORT"])!)]],
            "user": .string(try engine["AUTOGIT_SSH_USER"]),
            "key_path": .string(try engine["AUTOGIT_SSH_KEY"]),
            "known_hosts_file": .string(try engine["AUTOGIT_SSH_KNOWN_HOSTS"]),
            "strict_host_key_checking": "yes",
            "remote_executable": .string(agent),
            "remote_log_dir": .string(directory.file("remote-logs")),
            "stop_timeout": 5,
            "command_timeout": 20,
            // A classic key exchange: the default post-quantum one costs CPU that the 2-core CI machine shares.
            "ssh_options": ["-o", "KexAlgorithms=curve25519-sha256"],
        ]
        for (key, value) in extra { values[key] = value }
        return PluginSettings(
            providerName: name, settings: .object(values),
            agent: AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "agt_ssh", labels: ["ssh"]))
    }

    @Test("provision starts the agent over ssh with the default command line; status and list find it; deprovision kills it")
    func lifecycle() async throws {
        let directory = try TemporaryDirectory()
        let plugin = SSHPlugin()
        let info = try await plugin.initialize(try makeSettings(directory, name: "ssh-life"))
        #expect(info.name == "ssh" && info.maxInstances == 1)
        var created: [FleetingInstance] = []
        try await withCleanup {
            created = try await plugin.provision(count: 1, shape: ProvisionShape(labels: ["cuda"]))
            let instance = try #require(created.first)
            #expect(instance.id.hasPrefix("127.0.0.1:") && instance.runnerName.hasPrefix("ssh-life-"))
            #expect(await eventually { FakeAgent.environment(in: directory.path, runnerName: instance.runnerName) != nil })
            #expect(
                FakeAgent.arguments(in: directory.path, runnerName: instance.runnerName) == [
                    "runner", "--server", "http://127.0.0.1:9", "--registration-token", "agt_ssh", "--name", instance.runnerName,
                    "--labels", "ssh,cuda",
                ])
            let environment = try #require(FakeAgent.environment(in: directory.path, runnerName: instance.runnerName))
            #expect(environment[FleetingTags.provider] == "ssh-life" && environment[FleetingTags.plugin] == "ssh")
            // The pid ssh reported is the agent itself, leading its own session.
            let pid = try #require(Int32(instance.id.split(separator: ":").last!))
            #expect(FakeAgent.pid(in: directory.path, runnerName: instance.runnerName) == pid)
            #expect(ProcessInspector.snapshot(pid: pid)?.sessionID == pid)

            #expect(try await plugin.status(id: instance.id) == .running)
            let listed = try await plugin.list()
            #expect(listed.map(\.id) == [instance.id])
            #expect(listed.first?.runnerName == instance.runnerName)
            let connect = try await plugin.connectInfo(id: instance.id)
            #expect(connect.transport == "ssh" && connect.port != nil && connect.metadata["pid"] == String(pid))

            #expect(try await plugin.deprovision(ids: [instance.id]) == [instance.id])
            #expect(try await plugin.status(id: instance.id) == .gone)
            #expect(try await plugin.list().isEmpty)
            #expect(await eventually { TaggedProcesses.pids(provider: "ssh-life").isEmpty })
            #expect(try await plugin.deprovision(ids: [instance.id]) == [instance.id])
        } cleanup: {
            _ = try? await plugin.deprovision(ids: created.map(\.id))
            TaggedProcesses.killAll(provider: "ssh-life")
            directory.remove()
        }
    }

    @Test("a full pool gives what fits, then PLUGIN_REJECTED; an agent left by an earlier run is found and stopped")
    func poolAndLeftovers() async throws {
        let directory = try TemporaryDirectory()
        let settings = try makeSettings(directory, name: "ssh-pool", extra: ["instances_per_host": 2])
        let first = SSHPlugin()
        _ = try await first.initialize(settings)
        var created: [FleetingInstance] = []
        try await withCleanup {
            created = try await first.provision(count: 3, shape: ProvisionShape())
            #expect(created.count == 2)
            let full = await #expect(throws: CoreError.self) { try await first.provision(count: 1, shape: ProvisionShape()) }
            #expect(full?.code == .pluginRejected)

            // A new plugin instance (a restarted server) sees both through their tags and stops them.
            let second = SSHPlugin()
            _ = try await second.initialize(settings)
            let found = try await second.list()
            #expect(Set(found.map(\.id)) == Set(created.map(\.id)))
            #expect(Set(found.map(\.runnerName)) == Set(created.map(\.runnerName)))
            #expect(Set(try await second.deprovision(ids: found.map(\.id))) == Set(created.map(\.id)))
            #expect(try await first.list().isEmpty)
            #expect(await eventually { TaggedProcesses.pids(provider: "ssh-pool").isEmpty })
        } cleanup: {
            _ = try? await first.deprovision(ids: created.map(\.id))
            TaggedProcesses.killAll(provider: "ssh-pool")
            directory.remove()
        }
    }

    @Test("an unreachable host and an untrusted host key give PLUGIN_UNAVAILABLE and start nothing")
    func unreachable() async throws {
        let directory = try TemporaryDirectory()
        let engine = try EngineEnvironment.current(.sshd)
        let closedPort = try Int(engine["AUTOGIT_SSH_PORT"])! == 1 ? 2 : 1
        let plugin = SSHPlugin()
        _ = try await plugin.initialize(
            try makeSettings(
                directory, name: "ssh-closed", extra: ["hosts": [["address": "127.0.0.1", "port": .number(Double(closedPort))]]]))
        let error = await #expect(throws: CoreError.self) { try await plugin.provision(count: 1, shape: ProvisionShape()) }
        #expect(error?.code == .pluginUnavailable)
        #expect(error?.message.contains("127.0.0.1") == true)

        try Data().write(to: URL(fileURLWithPath: directory.file("empty_known_hosts")))
        let strict = SSHPlugin()
        _ = try await strict.initialize(
            try makeSettings(directory, name: "ssh-untrusted", extra: ["known_hosts_file": .string(directory.file("empty_known_hosts"))]))
        let untrusted = await #expect(throws: CoreError.self) { try await strict.provision(count: 1, shape: ProvisionShape()) }
        #expect(untrusted?.code == .pluginUnavailable)
        #expect(untrusted?.message.contains("Host key verification failed") == true, "\(String(describing: untrusted))")
        #expect(TaggedProcesses.pids(provider: "ssh-untrusted").isEmpty)
        directory.remove()
    }

    @Test("settings without hosts or with a bad host-key policy are rejected at initialize")
    func badSettings() async throws {
        let agent = AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "t")
        let plugin = SSHPlugin()
        let noHosts = await #expect(throws: CoreError.self) {
            try await plugin.initialize(PluginSettings(providerName: "s", settings: ["hosts": []], agent: agent))
        }
        #expect(noHosts?.field == "settings.hosts")
        let badPolicy = await #expect(throws: CoreError.self) {
            try await plugin.initialize(
                PluginSettings(providerName: "s", settings: ["hosts": ["h"], "strict_host_key_checking": "maybe"], agent: agent))
        }
        #expect(badPolicy?.code == .pluginConfiguration)
    }
}
