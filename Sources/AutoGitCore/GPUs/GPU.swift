import Foundation

/// A GPU on a runner: what it is, how loaded it is, and who holds it.
///
/// `index` is the device index jobs see through `CUDA_VISIBLE_DEVICES`/`HIP_VISIBLE_DEVICES`. A GPU is allocated to at
/// most one job or instance at a time.
public struct GPU: Codable, Sendable, Hashable, Identifiable {
    /// Health as the detector last saw it.
    public enum Health: ExtensibleEnum, CaseIterable {
        case healthy, degraded, unhealthy
        case unknown(String)

        public static let allCases: [Health] = [.healthy, .degraded, .unhealthy]

        public init(rawValue: String) {
            self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
        }

        public var rawValue: String {
            switch self {
            case .healthy: "healthy"
            case .degraded: "degraded"
            case .unhealthy: "unhealthy"
            case .unknown(let value): value
            }
        }
    }

    /// Unique across the fleet: `<runner id>:gpu<index>` when assigned by the server.
    public var id: String
    public var index: Int
    public var uuid: String?
    public var vendor: GPUVendor
    /// The marketing name as the driver reports it, e.g. `NVIDIA A100-SXM4-80GB`.
    public var model: String
    /// Total memory in MiB, as `nvidia-smi` reports it.
    public var memoryTotalMB: Int
    public var memoryUsedMB: Int?
    /// Utilisation from 0 to 100.
    public var utilization: Double?
    /// Degrees Celsius.
    public var temperature: Double?
    public var driverVersion: String?
    /// Set when this GPU is a slice (MIG) of a physical GPU.
    public var partition: GPUPartition?
    public var runnerID: String?
    public var allocatedJobID: String?
    /// The model-serving instance holding this GPU, if one does.
    public var allocatedInstance: String?
    public var health: Health

    public init(
        id: String? = nil, index: Int, uuid: String? = nil, vendor: GPUVendor = .nvidia, model: String, memoryTotalMB: Int,
        memoryUsedMB: Int? = nil, utilization: Double? = nil, temperature: Double? = nil, driverVersion: String? = nil,
        partition: GPUPartition? = nil, runnerID: String? = nil, allocatedJobID: String? = nil,
        allocatedInstance: String? = nil, health: Health = .healthy
    ) {
        self.id = id ?? runnerID.map { "\($0):gpu\(index)" } ?? "gpu\(index)"
        self.index = index
        self.uuid = uuid
        self.vendor = vendor
        self.model = model
        self.memoryTotalMB = memoryTotalMB
        self.memoryUsedMB = memoryUsedMB
        self.utilization = utilization
        self.temperature = temperature
        self.driverVersion = driverVersion
        self.partition = partition
        self.runnerID = runnerID
        self.allocatedJobID = allocatedJobID
        self.allocatedInstance = allocatedInstance
        self.health = health
    }

    enum CodingKeys: String, CodingKey {
        case id, index, uuid, vendor, model
        case memoryTotalMB = "memory_total_mb"
        case memoryUsedMB = "memory_used_mb"
        case utilization, temperature
        case driverVersion = "driver_version"
        case partition
        case runnerID = "runner_id"
        case allocatedJobID = "allocated_job_id"
        case allocatedInstance = "allocated_instance"
        case health
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let index = try container.decode(Int.self, forKey: .index)
        let runnerID = try container.decodeIfPresent(String.self, forKey: .runnerID)
        self.index = index
        self.runnerID = runnerID
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? runnerID.map { "\($0):gpu\(index)" } ?? "gpu\(index)"
        uuid = try container.decodeIfPresent(String.self, forKey: .uuid)
        vendor = try container.decode(GPUVendor.self, forKey: .vendor, default: .unknown(""))
        model = try container.decode(String.self, forKey: .model, default: "")
        memoryTotalMB = try container.decode(Int.self, forKey: .memoryTotalMB, default: 0)
        memoryUsedMB = try container.decodeIfPresent(Int.self, forKey: .memoryUsedMB)
        utilization = try container.decodeIfPresent(Double.self, forKey: .utilization)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        driverVersion = try container.decodeIfPresent(String.self, forKey: .driverVersion)
        partition = try container.decodeIfPresent(GPUPartition.self, forKey: .partition)
        allocatedJobID = try container.decodeIfPresent(String.self, forKey: .allocatedJobID)
        allocatedInstance = try container.decodeIfPresent(String.self, forKey: .allocatedInstance)
        health = try container.decode(Health.self, forKey: .health, default: .healthy)
    }

    /// Whether a job or instance may be given this GPU now: healthy and held by nobody.
    public var isAvailable: Bool {
        health == .healthy && allocatedJobID == nil && allocatedInstance == nil
    }

    /// Memory in gigabytes (GiB), for comparing against a job's `min_memory_gb`.
    public var memoryTotalGB: Double { Double(memoryTotalMB) / 1024 }

    /// Whether `type` names this GPU: a case-insensitive match on the vendor or on a word of the model, so `a100`
    /// matches `NVIDIA A100-SXM4-80GB`, `nvidia` matches every NVIDIA GPU, and `h100` does not match `A100`.
    public func matches(type: String) -> Bool {
        let wanted = type.lowercased().trimmingCharacters(in: .whitespaces)
        if wanted.isEmpty || wanted == vendor.rawValue { return true }
        return GPU.name(model, matches: wanted)
    }

    /// Whether a GPU model name (or an offer's GPU type) answers to `type`, by the rules of ``matches(type:)``
    /// without the vendor shortcut: the whole name, one of its words, or several of its words in order.
    public static func name(_ name: String, matches type: String) -> Bool {
        let wanted = type.lowercased().trimmingCharacters(in: .whitespaces)
        if wanted.isEmpty { return true }
        let name = name.lowercased()
        if name == wanted { return true }
        let words = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        if words.contains(where: { $0 == wanted }) { return true }
        // A multi-word type ("rtx 4090", "a100-80gb") matches when its words appear in the model in that order.
        let wantedWords = wanted.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        guard wantedWords.count > 1 else { return false }
        var remaining = wantedWords[...]
        for word in words where word == remaining.first {
            remaining = remaining.dropFirst()
            if remaining.isEmpty { return true }
        }
        return false
    }
}
