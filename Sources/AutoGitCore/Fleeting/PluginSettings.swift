/// What a plugin is initialised with: its own settings from the configuration file, and how to start the runner
/// agent so that it reaches this server.
public struct PluginSettings: Sendable, Hashable {
    /// The provider's name in the configuration (`slurm-a100`), which prefixes the runner names it creates.
    public var providerName: String
    /// The plugin's own settings object, as written in the configuration (`partition`, `hosts`, `command`, …).
    public var settings: JSONValue
    public var agent: AgentLaunch

    public init(providerName: String, settings: JSONValue = [:], agent: AgentLaunch) {
        self.providerName = providerName
        self.settings = settings
        self.agent = agent
    }

    /// The string at `key`, or nil.
    public func string(_ key: String) -> String? {
        if case .string(let value)? = settings[key] { return value }
        return nil
    }

    /// The integer at `key`, or nil.
    public func int(_ key: String) -> Int? {
        guard case .number(let value)? = settings[key], value.rounded() == value, abs(value) < 1e15 else { return nil }
        return Int(value)
    }

    /// The boolean at `key`, or nil.
    public func bool(_ key: String) -> Bool? {
        if case .bool(let value)? = settings[key] { return value }
        return nil
    }

    /// The strings at `key` (an array of strings), or nil.
    public func strings(_ key: String) -> [String]? {
        guard case .array(let values)? = settings[key] else { return nil }
        return values.compactMap { if case .string(let value) = $0 { value } else { nil } }
    }
}

/// How a plugin starts `autogit runner` on an instance.
public struct AgentLaunch: Sendable, Hashable, Codable {
    /// The server URL as the instance sees it (loopback for local and single-node Slurm, a routable address else).
    public var serverURL: String
    /// The registration token the agent presents (`autogit runner --registration-token`).
    public var registrationToken: String
    /// The `autogit` executable on the instance.
    public var executable: String
    /// Labels every runner of this provider carries, besides the shape's own.
    public var labels: [String]

    public init(serverURL: String, registrationToken: String, executable: String = "autogit", labels: [String] = []) {
        self.serverURL = serverURL
        self.registrationToken = registrationToken
        self.executable = executable
        self.labels = labels
    }

    /// The agent's command line for one instance, without the executable: each plugin quotes it for its transport.
    public func arguments(runnerName: String, shape: ProvisionShape, extra: [String] = []) -> [String] {
        var arguments = ["runner", "--server", serverURL, "--registration-token", registrationToken, "--name", runnerName]
        let allLabels = labels + shape.labels
        if !allLabels.isEmpty { arguments += ["--labels", allLabels.joined(separator: ",")] }
        return arguments + extra
    }

    enum CodingKeys: String, CodingKey {
        case serverURL = "server_url"
        case registrationToken = "registration_token"
        case executable, labels
    }
}
