import Foundation

/// One GPU's readings at a heartbeat, matched to the runner's GPUs by `index`.
public struct GPUReading: Codable, Sendable, Hashable {
    public var index: Int
    /// Utilisation from 0 to 100.
    public var utilization: Double?
    public var memoryUsedMB: Int?
    /// Degrees Celsius.
    public var temperature: Double?

    public init(index: Int, utilization: Double? = nil, memoryUsedMB: Int? = nil, temperature: Double? = nil) {
        self.index = index
        self.utilization = utilization
        self.memoryUsedMB = memoryUsedMB
        self.temperature = temperature
    }

    enum CodingKeys: String, CodingKey {
        case index, utilization
        case memoryUsedMB = "memory_used_mb"
        case temperature
    }
}

/// What a runner agent reports periodically: `POST /v1/runners/{id}/heartbeat`. A runner that misses heartbeats
/// for the configured time is marked offline and its jobs are re-queued.
public struct Heartbeat: Codable, Sendable, Hashable {
    public var currentLoad: RunnerLoad
    public var gpus: [GPUReading]
    /// The jobs the agent is running now, so the server can spot jobs it lost track of.
    public var runningJobIDs: [String]
    public var timestamp: Date?

    public init(currentLoad: RunnerLoad = RunnerLoad(), gpus: [GPUReading] = [], runningJobIDs: [String] = [], timestamp: Date? = nil) {
        self.currentLoad = currentLoad
        self.gpus = gpus
        self.runningJobIDs = runningJobIDs
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case currentLoad = "current_load"
        case gpus
        case runningJobIDs = "running_job_ids"
        case timestamp
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currentLoad = try container.decode(RunnerLoad.self, forKey: .currentLoad, default: RunnerLoad())
        gpus = try container.decode([GPUReading].self, forKey: .gpus, default: [])
        runningJobIDs = try container.decode([String].self, forKey: .runningJobIDs, default: [])
        timestamp = try container.decodeIfPresent(Date.self, forKey: .timestamp)
    }
}

/// The server's answer to a heartbeat: the status it holds for the runner (an agent told `draining` or `stopped`
/// finishes its work and takes no more), jobs to cancel, and when to beat next.
public struct HeartbeatAcknowledgement: Codable, Sendable, Hashable {
    public var status: RunnerStatus
    public var cancelJobIDs: [String]
    /// Seconds until the next heartbeat is due.
    public var nextHeartbeatIn: Double

    public init(status: RunnerStatus, cancelJobIDs: [String] = [], nextHeartbeatIn: Double) {
        self.status = status
        self.cancelJobIDs = cancelJobIDs
        self.nextHeartbeatIn = nextHeartbeatIn
    }

    enum CodingKeys: String, CodingKey {
        case status
        case cancelJobIDs = "cancel_job_ids"
        case nextHeartbeatIn = "next_heartbeat_in"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(RunnerStatus.self, forKey: .status)
        cancelJobIDs = try container.decode([String].self, forKey: .cancelJobIDs, default: [])
        nextHeartbeatIn = try container.decode(Double.self, forKey: .nextHeartbeatIn, default: 10)
    }
}
