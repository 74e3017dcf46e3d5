import Foundation

/// One machine (or process, or batch job) a plugin created to carry a runner agent.
public struct FleetingInstance: Codable, Sendable, Hashable, Identifiable {
    /// The infrastructure's id: a pid, `host:pid`, a Slurm job id, a cloud instance id.
    public var id: String
    public var state: FleetingInstanceState
    /// The runner name its agent registers with; ties the instance to its runner.
    public var runnerName: String
    public var shape: ProvisionShape
    public var createdAt: Date?
    /// Why it is `failed`, `preempted` or `gone`, when the infrastructure says.
    public var reason: String?
    /// Plugin-specific facts worth showing (`host`, `partition`, `node`).
    public var metadata: [String: String]

    public init(
        id: String, state: FleetingInstanceState, runnerName: String, shape: ProvisionShape = ProvisionShape(),
        createdAt: Date? = nil, reason: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.state = state
        self.runnerName = runnerName
        self.shape = shape
        self.createdAt = createdAt
        self.reason = reason
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, state
        case runnerName = "runner_name"
        case shape
        case createdAt = "created_at"
        case reason, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        state = try container.decode(FleetingInstanceState.self, forKey: .state)
        runnerName = try container.decode(String.self, forKey: .runnerName)
        shape = try container.decode(ProvisionShape.self, forKey: .shape, default: ProvisionShape())
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        metadata = try container.decode([String: String].self, forKey: .metadata, default: [:])
    }
}

/// Where an instance is in its life, as its infrastructure reports it.
public enum FleetingInstanceState: ExtensibleEnum, CaseIterable {
    /// Requested, not yet running (a pending Slurm job, a booting VM, an SSH start in progress).
    case creating
    case running
    case deleting
    case failed
    /// Taken back by the infrastructure (spot reclaim, Slurm preemption).
    case preempted
    /// No longer known to the infrastructure.
    case gone
    case unknown(String)

    public static let allCases: [FleetingInstanceState] = [.creating, .running, .deleting, .failed, .preempted, .gone]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .creating: "creating"
        case .running: "running"
        case .deleting: "deleting"
        case .failed: "failed"
        case .preempted: "preempted"
        case .gone: "gone"
        case .unknown(let value): value
        }
    }

    /// Whether the instance still exists and may carry (or soon carry) an agent.
    public var isAlive: Bool { self == .creating || self == .running }
}
