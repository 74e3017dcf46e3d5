import Foundation

/// One experiment run: a training or evaluation whose params, metrics and artifacts are tracked.
///
/// Runs belong to a project. Deleting a run is soft (`deleted_at` set, restorable) until it is purged.
public struct ExperimentRun: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var project: String
    public var name: String
    public var status: RunStatus
    /// Hyperparameters and configuration, as logged.
    public var params: [String: JSONValue]
    /// Final or best values (`final_loss`, `best_accuracy` ...).
    public var summary: [String: JSONValue]
    public var tags: [String]
    /// The job that produced this run, when one did.
    public var jobID: String?
    /// What the run cost, in `currency`, when its provider declares a price.
    public var cost: Double?
    public var currency: String?
    public var createdAt: Date
    public var updatedAt: Date?
    public var deletedAt: Date?

    public init(
        id: String, project: String, name: String, status: RunStatus = .running, params: [String: JSONValue] = [:],
        summary: [String: JSONValue] = [:], tags: [String] = [], jobID: String? = nil, cost: Double? = nil,
        currency: String? = nil, createdAt: Date, updatedAt: Date? = nil, deletedAt: Date? = nil
    ) {
        self.id = id
        self.project = project
        self.name = name
        self.status = status
        self.params = params
        self.summary = summary
        self.tags = tags
        self.jobID = jobID
        self.cost = cost
        self.currency = currency
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, project, name, status, params, summary, tags
        case jobID = "job_id"
        case cost, currency
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case deletedAt = "deleted_at"
        // Other trackers' spellings, read only.
        case config, metrics
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        project = try container.decode(String.self, forKey: .project, default: "default")
        name = try container.decode(String.self, forKey: .name, default: id)
        status = try container.decode(RunStatus.self, forKey: .status, default: .unknown(""))
        // PEFT Studio calls params `config` and the summary `metrics`.
        params =
            try container.decodeIfPresent([String: JSONValue].self, forKey: .params)
            ?? (try? container.decodeIfPresent([String: JSONValue].self, forKey: .config)) ?? [:]
        summary =
            try container.decodeIfPresent([String: JSONValue].self, forKey: .summary)
            ?? (try? container.decodeIfPresent([String: JSONValue].self, forKey: .metrics)) ?? [:]
        tags = try container.decode([String].self, forKey: .tags, default: [])
        jobID = try container.decodeIfPresent(String.self, forKey: .jobID)
        cost = try container.decodeIfPresent(Double.self, forKey: .cost)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
        deletedAt = try container.decodeIfPresent(Date.self, forKey: .deletedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(project, forKey: .project)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(params, forKey: .params)
        try container.encode(summary, forKey: .summary)
        try container.encode(tags, forKey: .tags)
        try container.encodeIfPresent(jobID, forKey: .jobID)
        try container.encodeIfPresent(cost, forKey: .cost)
        try container.encodeIfPresent(currency, forKey: .currency)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(deletedAt, forKey: .deletedAt)
    }

    /// Whether the run is in the trash.
    public var isDeleted: Bool { deletedAt != nil }
}

/// A project: a named group of runs.
public struct Project: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    public var runCount: Int
    public var createdAt: Date?
    public var updatedAt: Date?

    public init(name: String, runCount: Int = 0, createdAt: Date? = nil, updatedAt: Date? = nil) {
        self.name = name
        self.runCount = runCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var id: String { name }

    enum CodingKeys: String, CodingKey {
        case name
        case runCount = "run_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        runCount = try container.decode(Int.self, forKey: .runCount, default: 0)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }
}
