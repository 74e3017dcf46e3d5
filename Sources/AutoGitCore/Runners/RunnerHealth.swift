import Foundation

/// The result of checking a runner: an overall verdict and the named checks behind it
/// (`connectivity`, `heartbeat`, `disk_space`, `memory`, `gpus` ...).
public struct RunnerHealth: Codable, Sendable, Hashable {
    public var runnerID: String
    public var health: HealthState
    public var checks: [String: HealthCheck]
    public var lastCheck: Date?

    public init(runnerID: String, health: HealthState, checks: [String: HealthCheck] = [:], lastCheck: Date? = nil) {
        self.runnerID = runnerID
        self.health = health
        self.checks = checks
        self.lastCheck = lastCheck
    }

    enum CodingKeys: String, CodingKey {
        case runnerID = "runner_id"
        case health, checks
        case lastCheck = "last_check"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runnerID = try container.decode(String.self, forKey: .runnerID)
        health = try container.decode(HealthState.self, forKey: .health)
        checks = try container.decode([String: HealthCheck].self, forKey: .checks, default: [:])
        lastCheck = try container.decodeIfPresent(Date.self, forKey: .lastCheck)
    }
}
