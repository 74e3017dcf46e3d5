import AutoGitCore

/// The command line and environment that start one runner agent: the same for every plugin, so the agent and its
/// arguments are data (settings), not code.
///
/// Settings it reads:
/// - `command`: the whole command line as an array, replacing the default `EXECUTABLE runner --server URL
///   --registration-token TOKEN --name NAME [--labels L]`. Placeholders `{runner_name}`, `{server_url}`,
///   `{registration_token}`, `{labels}`, `{gpu_count}`, `{gpu_type}` and `{provider}` are replaced in every element.
/// - `agent_arguments`: words appended to the default command (`["--concurrency", "2"]`); ignored with `command`.
/// - `environment`: extra variables for the agent.
///
/// Every agent also gets the ``FleetingTags`` variables.
struct AgentCommand: Sendable, Hashable {
    var template: [String]?
    var extraArguments: [String]
    var environment: [String: String]
    var plugin: String

    init(settings: PluginSettings, plugin: String) throws {
        template = try settings.optionalStrings("command")
        if let template, template.isEmpty { throw settings.configurationError("command", "must not be empty") }
        extraArguments = try settings.optionalStrings("agent_arguments") ?? []
        environment = try settings.optionalStringMap("environment") ?? [:]
        self.plugin = plugin
    }

    /// The words to run (executable first) for the agent of `runnerName`.
    func arguments(executable: String, agent: AgentLaunch, provider: String, runnerName: String, shape: ProvisionShape) -> [String] {
        guard let template else {
            return [executable] + agent.arguments(runnerName: runnerName, shape: shape, extra: extraArguments)
        }
        let values = [
            "{runner_name}": runnerName, "{server_url}": agent.serverURL, "{registration_token}": agent.registrationToken,
            "{labels}": (agent.labels + shape.labels).joined(separator: ","), "{gpu_count}": String(shape.gpuCount),
            "{gpu_type}": shape.gpuType ?? "", "{provider}": provider,
        ]
        return template.map { word in
            values.reduce(word) { text, pair in text.replacingOccurrences(of: pair.key, with: pair.value) }
        }
    }

    /// The agent's environment: the configured variables plus the tags.
    func variables(agent: AgentLaunch, provider: String, runnerName: String, shape: ProvisionShape) -> [String: String] {
        var variables = environment
        variables[FleetingTags.provider] = provider
        variables[FleetingTags.plugin] = plugin
        variables[FleetingTags.runnerName] = runnerName
        variables[FleetingTags.serverURL] = agent.serverURL
        variables[FleetingTags.registrationToken] = agent.registrationToken
        variables[FleetingTags.labels] = (agent.labels + shape.labels).joined(separator: ",")
        variables[FleetingTags.gpuCount] = String(shape.gpuCount)
        if let type = shape.gpuType { variables[FleetingTags.gpuType] = type }
        return variables
    }
}
