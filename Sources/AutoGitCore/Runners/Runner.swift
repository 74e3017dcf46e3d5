import Foundation

/// A machine (or process, or Slurm allocation) that executes jobs: what it is, where it is, what it has.
///
/// Runners register themselves through the agent or are provisioned by a fleeting plugin. `labels` are what jobs
/// select on (every label a job requires must be present); `tags` are free-form grouping for people and bulk
/// operations; `capabilities` name what the executor supports.
public struct Runner: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var type: RunnerType
    public var status: RunnerStatus
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
    public var currentLoad: RunnerLoad?
    public var statistics: RunnerStatistics?
    /// The fleeting provider that created this runner, if one did.
    public var provider: String?
    /// The provider's own identifier for the machine behind this runner.
    public var instanceID: String?
    /// How many jobs this runner runs at once.
    public var maxConcurrentJobs: Int?
    /// The agent's version.
    public var version: String?
    public var registeredAt: Date?
    public var lastSeen: Date?

    public init(
        id: String, name: String, type: RunnerType = .native, status: RunnerStatus = .active, host: String? = nil,
        port: Int? = nil, architecture: Architecture? = nil, os: String? = nil, labels: [String] = [],
        tags: [String] = [], capabilities: [String] = [], metadata: [String: JSONValue] = [:],
        resources: RunnerResources? = nil, gpus: [GPU] = [], currentLoad: RunnerLoad? = nil,
        statistics: RunnerStatistics? = nil, provider: String? = nil, instanceID: String? = nil,
        maxConcurrentJobs: Int? = nil, version: String? = nil, registeredAt: Date? = nil, lastSeen: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.status = status
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
        self.currentLoad = currentLoad
        self.statistics = statistics
        self.provider = provider
        self.instanceID = instanceID
        self.maxConcurrentJobs = maxConcurrentJobs
        self.version = version
        self.registeredAt = registeredAt
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case id, name, type, status, host, port, architecture, os, labels, tags, capabilities, metadata, resources, gpus
        case currentLoad = "current_load"
        case statistics, provider
        case instanceID = "instance_id"
        case maxConcurrentJobs = "max_concurrent_jobs"
        case version
        case registeredAt = "registered_at"
        case lastSeen = "last_seen"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name, default: id)
        type = try container.decode(RunnerType.self, forKey: .type, default: .native)
        status = try container.decode(RunnerStatus.self, forKey: .status, default: .unknown(""))
        host = try container.decodeIfPresent(String.self, forKey: .host)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        labels = try container.decode([String].self, forKey: .labels, default: [])
        tags = try container.decode([String].self, forKey: .tags, default: [])
        capabilities = try container.decode([String].self, forKey: .capabilities, default: [])
        metadata = try container.decode([String: JSONValue].self, forKey: .metadata, default: [:])
        resources = try container.decodeIfPresent(RunnerResources.self, forKey: .resources)
        gpus = try container.decode([GPU].self, forKey: .gpus, default: [])
        currentLoad = try container.decodeIfPresent(RunnerLoad.self, forKey: .currentLoad)
        statistics = try container.decodeIfPresent(RunnerStatistics.self, forKey: .statistics)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        instanceID = try container.decodeIfPresent(String.self, forKey: .instanceID)
        maxConcurrentJobs = try container.decodeIfPresent(Int.self, forKey: .maxConcurrentJobs)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        // RustCI keeps os, arch and times inside `metadata`; read them from there when the top level lacks them.
        architecture =
            try container.decodeIfPresent(Architecture.self, forKey: .architecture)
            ?? metadata["arch"]?.stringValue.map(Architecture.init(rawValue:))
        os = try container.decodeIfPresent(String.self, forKey: .os) ?? metadata["os"]?.stringValue
        registeredAt =
            try container.decodeIfPresent(Date.self, forKey: .registeredAt)
            ?? metadata["registered_at"]?.stringValue.flatMap(RFC3339.date(from:))
        lastSeen =
            try container.decodeIfPresent(Date.self, forKey: .lastSeen)
            ?? metadata["last_seen"]?.stringValue.flatMap(RFC3339.date(from:))
    }
}
