/// The whole fleet at a glance: `GET /v1/system/status`.
public struct SystemStatus: Codable, Sendable, Hashable {
    /// Counts of instances by state.
    public struct InstanceCounts: Codable, Sendable, Hashable {
        public var total: Int
        public var running: Int
        public var stopped: Int

        public init(total: Int = 0, running: Int = 0, stopped: Int = 0) {
            self.total = total
            self.running = running
            self.stopped = stopped
        }
    }

    /// Runners by status.
    public struct RunnerCounts: Codable, Sendable, Hashable {
        public var total: Int
        public var byStatus: [String: Int]

        public init(total: Int = 0, byStatus: [String: Int] = [:]) {
            self.total = total
            self.byStatus = byStatus
        }

        enum CodingKeys: String, CodingKey {
            case total
            case byStatus = "by_status"
        }
    }

    /// Jobs by status, and how many wait in the queue.
    public struct JobCounts: Codable, Sendable, Hashable {
        public var total: Int
        public var queued: Int
        public var running: Int
        public var byStatus: [String: Int]

        public init(total: Int = 0, queued: Int = 0, running: Int = 0, byStatus: [String: Int] = [:]) {
            self.total = total
            self.queued = queued
            self.running = running
            self.byStatus = byStatus
        }

        enum CodingKeys: String, CodingKey {
            case total, queued, running
            case byStatus = "by_status"
        }
    }

    /// GPUs in the fleet.
    public struct GPUCounts: Codable, Sendable, Hashable {
        public var total: Int
        public var allocated: Int
        public var available: Int

        public init(total: Int = 0, allocated: Int = 0, available: Int = 0) {
            self.total = total
            self.allocated = allocated
            self.available = available
        }
    }

    /// The server host's own resources. `memoryUsage` and `memoryTotal` in bytes; usages otherwise percentages.
    public struct HostResources: Codable, Sendable, Hashable {
        public var cpuUsage: Double?
        public var memoryUsage: Int64?
        public var memoryTotal: Int64?
        public var diskUsage: Double?

        public init(cpuUsage: Double? = nil, memoryUsage: Int64? = nil, memoryTotal: Int64? = nil, diskUsage: Double? = nil) {
            self.cpuUsage = cpuUsage
            self.memoryUsage = memoryUsage
            self.memoryTotal = memoryTotal
            self.diskUsage = diskUsage
        }

        enum CodingKeys: String, CodingKey {
            case cpuUsage = "cpu_usage"
            case memoryUsage = "memory_usage"
            case memoryTotal = "memory_total"
            case diskUsage = "disk_usage"
        }
    }

    public var version: String
    /// Seconds since the server started.
    public var uptime: Double
    public var runners: RunnerCounts?
    public var jobs: JobCounts?
    public var gpus: GPUCounts?
    public var instances: InstanceCounts?
    public var resources: HostResources?

    public init(
        version: String, uptime: Double, runners: RunnerCounts? = nil, jobs: JobCounts? = nil, gpus: GPUCounts? = nil,
        instances: InstanceCounts? = nil, resources: HostResources? = nil
    ) {
        self.version = version
        self.uptime = uptime
        self.runners = runners
        self.jobs = jobs
        self.gpus = gpus
        self.instances = instances
        self.resources = resources
    }
}
