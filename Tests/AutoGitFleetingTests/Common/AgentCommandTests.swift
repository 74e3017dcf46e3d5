import AutoGitCore
import Testing

@testable import AutoGitFleeting

@Suite("agent command lines")
struct AgentCommandTests {
    private let agent = AgentLaunch(serverURL: "http://127.0.0.1:8080", registrationToken: "agt_x", labels: ["fleet"])
    private let shape = ProvisionShape(gpuType: "a100", gpuCount: 2, labels: ["cuda"])

    @Test("the default is autogit runner with server, token, name and labels, plus agent_arguments")
    func defaultCommand() throws {
        let settings = PluginSettings(providerName: "p", settings: ["agent_arguments": ["--concurrency", "2"]], agent: agent)
        let command = try AgentCommand(settings: settings, plugin: "ssh")
        #expect(
            command.arguments(executable: "/opt/autogit", agent: agent, provider: "p", runnerName: "p-0000abcd", shape: shape) == [
                "/opt/autogit", "runner", "--server", "http://127.0.0.1:8080", "--registration-token", "agt_x", "--name", "p-0000abcd",
                "--labels", "fleet,cuda", "--concurrency", "2",
            ])
    }

    @Test("a configured command replaces every placeholder in every word")
    func template() throws {
        let settings = PluginSettings(
            providerName: "p",
            settings: [
                "command": [
                    "agent", "--id={runner_name}", "{server_url}", "{registration_token}", "{labels}", "{gpu_count}x{gpu_type}",
                    "{provider}",
                ]
            ],
            agent: agent)
        let command = try AgentCommand(settings: settings, plugin: "local")
        #expect(
            command.arguments(executable: "ignored", agent: agent, provider: "p", runnerName: "p-1", shape: shape) == [
                "agent", "--id=p-1", "http://127.0.0.1:8080", "agt_x", "fleet,cuda", "2xa100", "p",
            ])
    }

    @Test("the environment carries the configured variables and every tag")
    func environment() throws {
        let settings = PluginSettings(providerName: "p", settings: ["environment": ["HF_HOME": "/data/hf"]], agent: agent)
        let variables = try AgentCommand(settings: settings, plugin: "slurm").variables(
            agent: agent, provider: "p", runnerName: "p-1", shape: shape)
        #expect(variables["HF_HOME"] == "/data/hf")
        #expect(variables[FleetingTags.provider] == "p" && variables[FleetingTags.plugin] == "slurm")
        #expect(variables[FleetingTags.runnerName] == "p-1" && variables[FleetingTags.labels] == "fleet,cuda")
        #expect(variables[FleetingTags.gpuCount] == "2" && variables[FleetingTags.gpuType] == "a100")
    }

    @Test("an empty command or a non-string environment is a configuration error naming the key")
    func invalid() {
        let empty = #expect(throws: CoreError.self) {
            try AgentCommand(settings: PluginSettings(providerName: "p", settings: ["command": []], agent: agent), plugin: "local")
        }
        #expect(empty?.field == "settings.command")
        let wrong = #expect(throws: CoreError.self) {
            try AgentCommand(
                settings: PluginSettings(providerName: "p", settings: ["environment": ["N": 1]], agent: agent), plugin: "local")
        }
        #expect(wrong?.field == "settings.environment")
    }
}
