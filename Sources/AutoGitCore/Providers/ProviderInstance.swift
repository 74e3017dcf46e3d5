import Foundation

/// One instance of a provider as `GET /v1/providers` shows it: what the plugin created, the runner it carries, and
/// where it is in its life (booting, idle since when, being removed and why).
public struct ProviderInstance: Codable, Sendable, Hashable, Identifiable {
    /// The infrastructure's id: a pid, `host:pid`, a Slurm job id.
    public var id: String
    public var state: FleetingInstanceState
    /// The name its agent registers with.
    public var runnerName: String
    /// The runner record of this instance (status `provisioning` until its agent registers).
    public var runnerID: String?
    public var runnerStatus: RunnerStatus?
    public var shape: ProvisionShape
    public var createdAt: Date?
    public var registeredAt: Date?
    /// Since when it has run no job; nil while busy or booting.
    public var idleSince: Date?
    /// Jobs it runs now.
    public var runningJobs: Int
    /// Why it was provisioned: `demand`, `min_idle`, `request` (a `POST /v1/runners`).
    public var provisionReason: String?
    /// Why it is being removed (`idle_timeout`, `registration_timeout`, `request` …), once it is.
    public var removalReason: String?
    public var metadata: [String: String]

    public init(
        id: String, state: FleetingInstanceState, runnerName: String, runnerID: String? = nil, runnerStatus: RunnerStatus? = nil,
        shape: ProvisionShape = ProvisionShape(), createdAt: Date? = nil, registeredAt: Date? = nil, idleSince: Date? = nil,
        runningJobs: Int = 0, provisionReason: String? = nil, removalReason: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.state = state
        self.runnerName = runnerName
        self.runnerID = runnerID
        self.runnerStatus = runnerStatus
        self.shape = shape
        self.createdAt = createdAt
        self.registeredAt = registeredAt
        self.idleSince = idleSince
        self.runningJobs = runningJobs
        self.provisionReason = provisionReason
        self.removalReason = removalReason
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, state
        case runnerName = "runner_name"
        case runnerID = "runner_id"
        case runnerStatus = "runner_status"
        case shape
        case createdAt = "created_at"
        case registeredAt = "registered_at"
        case idleSince = "idle_since"
        case runningJobs = "running_jobs"
        case provisionReason = "provision_reason"
        case removalReason = "removal_reason"
        case metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        state = try container.decode(FleetingInstanceState.self, forKey: .state)
        runnerName = try container.decode(String.self, forKey: .runnerName, default: "")
        runnerID = try container.decodeIfPresent(String.self, forKey: .runnerID)
        runnerStatus = try container.decodeIfPresent(RunnerStatus.self, forKey: .runnerStatus)
        shape = try container.decode(ProvisionShape.self, forKey: .shape, default: ProvisionShape())
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        registeredAt = try container.decodeIfPresent(Date.self, forKey: .registeredAt)
        idleSince = try container.decodeIfPresent(Date.self, forKey: .idleSince)
        runningJobs = try container.decode(Int.self, forKey: .runningJobs, default: 0)
        provisionReason = try container.decodeIfPresent(String.self, forKey: .provisionReason)
        removalReason = try container.decodeIfPresent(String.self, forKey: .removalReason)
        metadata = try container.decode([String: String].self, forKey: .metadata, default: [:])
    }
}
