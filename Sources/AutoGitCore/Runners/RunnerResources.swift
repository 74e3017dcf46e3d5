/// The hardware a runner offers, as it reported at registration.
public struct RunnerResources: Codable, Sendable, Hashable {
    public var cpuCores: Int?
    /// Memory in gigabytes (10^9 bytes).
    public var memoryGB: Double?
    /// Disk space for job work directories, in gigabytes.
    public var diskGB: Double?

    public init(cpuCores: Int? = nil, memoryGB: Double? = nil, diskGB: Double? = nil) {
        self.cpuCores = cpuCores
        self.memoryGB = memoryGB
        self.diskGB = diskGB
    }

    enum CodingKeys: String, CodingKey {
        case cpuCores = "cpu_cores"
        case memoryGB = "memory_gb"
        case diskGB = "disk_gb"
    }
}
