import AutoGitCore
import AutoGitTestSupport
import Foundation
import Testing

@testable import AutoGitFleeting

@Suite("exec plugin")
struct ExecPluginTests {
    private static let examplePlugin = "\(Engine.repositoryRoot)/Examples/plugins/local-processes.py"

    private func settings(_ values: [String: JSONValue], name: String) -> PluginSettings {
        PluginSettings(
            providerName: name, settings: .object(values),
            agent: AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "agt_exec", labels: ["ext"]))
    }

    @Test(
        "the example plugin provisions, lists, reports and deprovisions real processes",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is not installed"))
    func examplePluginLifecycle() async throws {
        let directory = try TemporaryDirectory()
        let agent = try directory.script("agent.sh", FakeAgent.script(markerDirectory: directory.path))
        let plugin = ExecPlugin()
        let info = try await plugin.initialize(
            settings(
                [
                    "executable": "/usr/bin/python3", "arguments": [.string(Self.examplePlugin)],
                    "agent_executable": .string(agent), "timeout": 30,
                    "config": ["state_dir": .string(directory.file("state")), "max_instances": 2, "stop_timeout": 5],
                ], name: "exec-example"))
        #expect(info.name == "local-processes" && info.maxInstances == 2 && info.offers.first?.id == "local-cpu")
        var created: [FleetingInstance] = []
        try await withCleanup {
            // Three asked, two allowed: partial success returns the two.
            created = try await plugin.provision(count: 3, shape: ProvisionShape(labels: ["cpu"]))
            #expect(created.count == 2)
            for instance in created {
                #expect(await eventually { FakeAgent.environment(in: directory.path, runnerName: instance.runnerName) != nil })
                #expect(
                    FakeAgent.arguments(in: directory.path, runnerName: instance.runnerName) == [
                        "runner", "--server", "http://127.0.0.1:9", "--registration-token", "agt_exec", "--name", instance.runnerName,
                        "--labels", "ext,cpu",
                    ])
                #expect(FakeAgent.environment(in: directory.path, runnerName: instance.runnerName)?[FleetingTags.plugin] == "exec")
                #expect(try await plugin.status(id: instance.id) == .running)
            }
            #expect(Set(try await plugin.list().map(\.id)) == Set(created.map(\.id)))
            #expect(try await plugin.connectInfo(id: created[0].id).metadata["pid"] == created[0].id)

            let full = await #expect(throws: CoreError.self) { try await plugin.provision(count: 1, shape: ProvisionShape()) }
            #expect(full?.code == .pluginRejected && full?.message.contains("max_instances") == true)

            #expect(Set(try await plugin.deprovision(ids: created.map(\.id))) == Set(created.map(\.id)))
            for instance in created { #expect(try await plugin.status(id: instance.id) == .gone) }
            #expect(try await plugin.list().isEmpty)
            #expect(await eventually { TaggedProcesses.pids(provider: "exec-example").isEmpty })
        } cleanup: {
            _ = try? await plugin.deprovision(ids: created.map(\.id))
            TaggedProcesses.killAll(provider: "exec-example")
            directory.remove()
        }
    }

    /// A plugin that is a shell script answering every call with `body`.
    private func scriptPlugin(_ directory: TemporaryDirectory, _ body: String, timeout: JSONValue = 10) throws -> PluginSettings {
        let script = try directory.script("plugin.sh", "#!/bin/sh\ncat >/dev/null\n\(body)\n")
        return settings(["executable": .string(script), "timeout": timeout], name: "exec-script")
    }

    @Test("a plugin that does not answer in time is killed and reported as timed out")
    func timeout() async throws {
        let directory = try TemporaryDirectory()
        let plugin = ExecPlugin()
        let error = await #expect(throws: CoreError.self) {
            try await plugin.initialize(try scriptPlugin(directory, "echo thinking >&2; sleep 30", timeout: 0.5))
        }
        #expect(error?.code == .pluginUnavailable)
        #expect(error?.message.contains("timed out") == true, "\(String(describing: error))")
        directory.remove()
    }

    @Test("garbage on standard output is a PLUGIN_PROTOCOL error quoting it and the plugin's log")
    func garbage() async throws {
        let directory = try TemporaryDirectory()
        let plugin = ExecPlugin()
        let error = await #expect(throws: CoreError.self) {
            try await plugin.initialize(try scriptPlugin(directory, "echo 'Traceback: boom' >&2; echo 'hello, I am not JSON'"))
        }
        #expect(error?.code == .pluginProtocol)
        #expect(error?.message.contains("hello, I am not JSON") == true && error?.message.contains("Traceback: boom") == true)
        directory.remove()
    }

    @Test(
        "errors, silence, wrong versions and wrong shapes are reported with the plugin's code or PLUGIN_PROTOCOL",
        arguments: [
            (
                #"echo '{"protocol_version":1,"error":{"code":"PLUGIN_REJECTED","message":"quota exceeded"}}'; exit 1"#, "PLUGIN_REJECTED",
                "quota exceeded"
            ),
            ("echo 'crashed' >&2; exit 3", "PLUGIN_PROTOCOL", "wrote nothing"),
            (#"echo '{"protocol_version":2,"result":{}}'"#, "PLUGIN_PROTOCOL", "version 2"),
            (#"echo '{"result":{"name":"x","offers":[]}}'"#, "PLUGIN_PROTOCOL", "protocol_version"),
            (#"echo '{"protocol_version":1}'"#, "PLUGIN_PROTOCOL", "neither"),
            (#"echo '{"protocol_version":1,"result":{"offers":"many"}}'"#, "PLUGIN_PROTOCOL", "provider info"),
        ])
    func badAnswers(body: String, code: String, fragment: String) async throws {
        let directory = try TemporaryDirectory()
        let plugin = ExecPlugin()
        let error = await #expect(throws: CoreError.self) { try await plugin.initialize(try scriptPlugin(directory, body)) }
        #expect(error?.code == ErrorCode(code))
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
        directory.remove()
    }

    @Test("each call sends one request with the protocol version, method, provider, settings and parameters")
    func requestShape() async throws {
        let directory = try TemporaryDirectory()
        let capture = directory.file("request.json")
        let script = try directory.script(
            "plugin.sh",
            """
            #!/bin/sh
            cat >'\(capture)'
            echo '{"protocol_version":1,"result":{"name":"shape","version":"1","offers":[{"id":"a","gpu_count":1}]}}'
            """)
        let plugin = ExecPlugin()
        _ = try await plugin.initialize(
            settings(["executable": .string(script), "config": ["region": "eu"], "timeouts": ["initialize": 5]], name: "exec-shape"))
        let request = try JSONValue.decoded(from: Data(contentsOf: URL(fileURLWithPath: capture)))
        #expect(request["protocol_version"] == 1)
        #expect(request["method"] == "initialize")
        #expect(request["provider"] == "exec-shape")
        #expect(request["settings"] == ["region": "eu"])
        directory.remove()
    }

    @Test("settings need an executable and known method names in timeouts")
    func badSettings() async throws {
        let plugin = ExecPlugin()
        let missing = await #expect(throws: CoreError.self) { try await plugin.initialize(settings([:], name: "e")) }
        #expect(missing?.field == "settings.executable")
        let wrongMethod = await #expect(throws: CoreError.self) {
            try await plugin.initialize(settings(["executable": "/bin/true", "timeouts": ["launch": 3]], name: "e"))
        }
        #expect(wrongMethod?.field == "settings.timeouts.launch")
    }
}

extension JSONValue {
    fileprivate static func decoded(from data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }
}
