import Foundation

/// A runner's current state at a glance: `GET /v1/runners/{id}/status`.
public struct RunnerStatusReport: Codable, Sendable, Hashable {
    public var runnerID: String
    public var status: RunnerStatus
    public var health: HealthState?
    public var lastHeartbeat: Date?
    public var currentLoad: RunnerLoad?
    public var capabilitiesStatus: [String: String]

    public init(
        runnerID: String, status: RunnerStatus, health: HealthState? = nil, lastHeartbeat: Date? = nil,
        currentLoad: RunnerLoad? = nil, capabilitiesStatus: [String: String] = [:]
    ) {
        self.runnerID = runnerID
        self.status = status
        self.health = health
        self.lastHeartbeat = lastHeartbeat
        self.currentLoad = currentLoad
        self.capabilitiesStatus = capabilitiesStatus
    }

    enum CodingKeys: String, CodingKey {
        case runnerID = "runner_id"
        case status, health
        case lastHeartbeat = "last_heartbeat"
        case currentLoad = "current_load"
        case capabilitiesStatus = "capabilities_status"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runnerID = try container.decode(String.self, forKey: .runnerID)
        status = try container.decode(RunnerStatus.self, forKey: .status)
        health = try container.decodeIfPresent(HealthState.self, forKey: .health)
        lastHeartbeat = try container.decodeIfPresent(Date.self, forKey: .lastHeartbeat)
        currentLoad = try container.decodeIfPresent(RunnerLoad.self, forKey: .currentLoad)
        capabilitiesStatus = try container.decode([String: String].self, forKey: .capabilitiesStatus, default: [:])
    }
}
