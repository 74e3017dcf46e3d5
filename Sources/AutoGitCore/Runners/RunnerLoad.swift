/// A runner's load at its last heartbeat. Usages are percentages from 0 to 100.
public struct RunnerLoad: Codable, Sendable, Hashable {
    public var activeJobs: Int
    public var queuedJobs: Int?
    public var cpuUsage: Double?
    public var memoryUsage: Double?
    public var diskUsage: Double?

    public init(activeJobs: Int = 0, queuedJobs: Int? = nil, cpuUsage: Double? = nil, memoryUsage: Double? = nil, diskUsage: Double? = nil)
    {
        self.activeJobs = activeJobs
        self.queuedJobs = queuedJobs
        self.cpuUsage = cpuUsage
        self.memoryUsage = memoryUsage
        self.diskUsage = diskUsage
    }

    enum CodingKeys: String, CodingKey {
        case activeJobs = "active_jobs"
        case queuedJobs = "queued_jobs"
        case cpuUsage = "cpu_usage"
        case memoryUsage = "memory_usage"
        case diskUsage = "disk_usage"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        activeJobs = try container.decode(Int.self, forKey: .activeJobs, default: 0)
        queuedJobs = try container.decodeIfPresent(Int.self, forKey: .queuedJobs)
        cpuUsage = try container.decodeIfPresent(Double.self, forKey: .cpuUsage)
        memoryUsage = try container.decodeIfPresent(Double.self, forKey: .memoryUsage)
        diskUsage = try container.decodeIfPresent(Double.self, forKey: .diskUsage)
    }
}
