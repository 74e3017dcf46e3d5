import Foundation

/// What a runner agent sends to register itself: `POST /v1/runners/register`, authenticated with a
/// registration token.
public struct RunnerRegistration: Codable, Sendable, Hashable {
    public var name: String
    public var type: RunnerType
    public var host: String?
    public var port: Int?
    public var architecture: Architecture?
    public var os: String?
    public var labels: [String]
    public var tags: [String]
    public var capabilities: [String]
    public var metadata: [String: JSONValue]
    public var resources: RunnerResources?
    public var gpus: [GPU]
    public var maxConcurrentJobs: Int?
    public var version: String?
    /// The fleeting instance this agent runs on, when a plugin started it (so the server can match the two).
    public var instanceID: String?
    public var provider: String?

    public init(
        name: String, type: RunnerType = .native, host: String? = nil, port: Int? = nil,
        architecture: Architecture? = nil, os: String? = nil, labels: [String] = [], tags: [String] = [],
        capabilities: [String] = [], metadata: [String: JSONValue] = [:], resources: RunnerResources? = nil,
        gpus: [GPU] = [], maxConcurrentJobs: Int? = nil, version: String? = nil, instanceID: String? = nil,
        provider: String? = nil
    ) {
        self.name = name
        self.type = type
        self.host = host
        self.port = port
        self.architecture = architecture
        self.os = os
        self.labels = labels
        self.tags = tags
        self.capabilities = capabilities
        self.metadata = metadata
        self.resources = resources
        self.gpus = gpus
        self.maxConcurrentJobs = maxConcurrentJobs
        self.version = version
        self.instanceID = instanceID
        self.provider = provider
    }

    enum CodingKeys: String, CodingKey {
        case name, type, host, port, architecture, os, labels, tags, capabilities, metadata, resources, gpus
        case maxConcurrentJobs = "max_concurrent_jobs"
        case version
        case instanceID = "instance_id"
        case provider
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(RunnerType.self, forKey: .type, default: .native)
        host = try container.decodeIfPresent(String.self, forKey: .host)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        labels = try container.decode([String].self, forKey: .labels, default: [])
        tags = try container.decode([String].self, forKey: .tags, default: [])
        capabilities = try container.decode([String].self, forKey: .capabilities, default: [])
        metadata = try container.decode([String: JSONValue].self, forKey: .metadata, default: [:])
        resources = try container.decodeIfPresent(RunnerResources.self, forKey: .resources)
        gpus = try container.decode([GPU].self, forKey: .gpus, default: [])
        version = try container.decodeIfPresent(String.self, forKey: .version)
        instanceID = try container.decodeIfPresent(String.self, forKey: .instanceID)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        architecture =
            try container.decodeIfPresent(Architecture.self, forKey: .architecture)
            ?? metadata["arch"]?.stringValue.map(Architecture.init(rawValue:))
        os = try container.decodeIfPresent(String.self, forKey: .os) ?? metadata["os"]?.stringValue
        maxConcurrentJobs =
            try container.decodeIfPresent(Int.self, forKey: .maxConcurrentJobs)
            ?? metadata["max_concurrent_jobs"]?.intValue
    }
}

/// The server's answer to a registration: the runner's id and the token the agent uses from then on.
///
/// The token is shown once; the server keeps only its hash.
public struct RunnerRegistrationResult: Codable, Sendable, Hashable {
    public var success: Bool
    public var runnerID: String
    /// The runner's own token (role `runner`), for heartbeats, job requests and log uploads.
    public var token: String
    public var message: String?
    public var runner: Runner?

    public init(success: Bool = true, runnerID: String, token: String, message: String? = nil, runner: Runner? = nil) {
        self.success = success
        self.runnerID = runnerID
        self.token = token
        self.message = message
        self.runner = runner
    }

    enum CodingKeys: String, CodingKey {
        case success
        case runnerID = "runner_id"
        case token
        case registrationToken = "registration_token"
        case message, runner
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        success = try container.decode(Bool.self, forKey: .success, default: true)
        runnerID = try container.decode(String.self, forKey: .runnerID)
        // RustCI calls the runner's credential `registration_token`.
        token =
            try container.decodeIfPresent(String.self, forKey: .token)
            ?? container.decode(String.self, forKey: .registrationToken)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        runner = try container.decodeIfPresent(Runner.self, forKey: .runner)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(success, forKey: .success)
        try container.encode(runnerID, forKey: .runnerID)
        try container.encode(token, forKey: .token)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(runner, forKey: .runner)
    }
}
