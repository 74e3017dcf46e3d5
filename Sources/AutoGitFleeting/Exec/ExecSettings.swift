import AutoGitCore

/// The `exec` plugin's settings, read and checked once by `initialize`.
struct ExecSettings: Sendable {
    var provider: String
    var agent: AgentLaunch
    var command: AgentCommand
    /// The plugin program and the arguments before the request (`["python3", "plugin.py"]` or just the path).
    var executable: String
    var arguments: [String]
    /// The `autogit` binary on the instances, for the default agent command.
    var agentExecutable: String
    /// The settings object sent with every request (everything under `config`, or the whole settings).
    var pluginSettings: JSONValue
    var environment: [String: String]
    var defaultTimeout: Duration
    var timeouts: [String: Duration]

    init(_ settings: PluginSettings) throws {
        provider = try settings.validatedProviderName()
        agent = settings.agent
        command = try AgentCommand(settings: settings, plugin: "exec")
        guard let executable = try settings.optionalString("executable"), !executable.isEmpty else {
            throw settings.configurationError("executable", "must name the plugin program")
        }
        self.executable = executable
        arguments = try settings.optionalStrings("arguments") ?? []
        agentExecutable = try settings.optionalString("agent_executable") ?? settings.agent.executable
        pluginSettings = settings.settings["config"] ?? settings.settings
        environment = try settings.optionalStringMap("plugin_environment") ?? [:]
        defaultTimeout = try settings.optionalSeconds("timeout") ?? .seconds(60)
        var timeouts: [String: Duration] = [:]
        if let table = settings.settings["timeouts"], table != .null {
            guard let members = table.objectValue else { throw settings.configurationError("timeouts", "must be an object of seconds") }
            for (method, value) in members {
                guard ExecProtocol.Method(rawValue: method) != nil else {
                    throw settings.configurationError("timeouts.\(method)", "is not a method of the protocol")
                }
                guard let seconds = value.doubleValue, seconds > 0 else {
                    throw settings.configurationError("timeouts.\(method)", "must be a positive number of seconds")
                }
                timeouts[method] = .milliseconds(Int64(seconds * 1000))
            }
        }
        self.timeouts = timeouts
    }

    func timeout(for method: ExecProtocol.Method) -> Duration { timeouts[method.rawValue] ?? defaultTimeout }
}
