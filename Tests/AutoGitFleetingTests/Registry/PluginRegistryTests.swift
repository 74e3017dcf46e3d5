import AutoGitCore
import Testing

@testable import AutoGitFleeting

@Suite("plugin registry")
struct PluginRegistryTests {
    @Test("builds the four built-in kinds and refuses an unknown one with the list of known ones")
    func kinds() throws {
        let registry = PluginRegistry()
        #expect(registry.kinds == ["exec", "local", "slurm", "ssh"])
        #expect(try registry.makePlugin(kind: "slurm") is SlurmPlugin)
        #expect(try registry.makePlugin(kind: "local") is LocalPlugin)
        let error = #expect(throws: CoreError.self) { try registry.makePlugin(kind: "kubernetes") }
        #expect(error?.code == .pluginConfiguration && error?.message.contains("exec, local, slurm, ssh") == true)
    }

    @Test("starts a configured provider with its settings and registered kinds")
    func start() async throws {
        var registry = PluginRegistry()
        registry.register("fake") { LocalPlugin() }
        let entry = ServerConfiguration.ProviderEntry(name: "laptop", type: "fake", settings: ["command": ["/bin/true"]])
        let (_, info) = try await registry.start(entry, agent: AgentLaunch(serverURL: "http://127.0.0.1:9", registrationToken: "t"))
        #expect(info.name == "local")
    }
}
