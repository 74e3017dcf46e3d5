import Foundation

/// What a group of queued jobs needs from a machine that does not exist yet.
public struct DemandShape: Codable, Sendable, Hashable, Comparable {
    /// GPUs each job needs on one runner; 0 for CPU jobs.
    public var gpuCount: Int
    /// The GPU family asked for, lowercased (`a100`); nil for any.
    public var gpuType: String?
    /// Minimum memory per GPU in GiB.
    public var minGPUMemoryGB: Double?
    /// Labels every job of the group requires, lowercased and sorted.
    public var labels: [String]
    public var architecture: Architecture?

    public init(
        gpuCount: Int = 0, gpuType: String? = nil, minGPUMemoryGB: Double? = nil, labels: [String] = [],
        architecture: Architecture? = nil
    ) {
        self.gpuCount = gpuCount
        self.gpuType = gpuType?.lowercased()
        self.minGPUMemoryGB = minGPUMemoryGB
        self.labels = Array(Set(labels.map { $0.lowercased() })).sorted()
        self.architecture = architecture
    }

    /// The shape of a job's requirements (pinned jobs excepted: they wait for their runner).
    public init(_ requirements: JobRequirements) {
        self.init(
            gpuCount: requirements.gpu?.count ?? 0, gpuType: requirements.gpu?.type,
            minGPUMemoryGB: requirements.gpu?.minMemoryGB, labels: requirements.labels,
            architecture: requirements.architecture)
    }

    /// Orders shapes deterministically: larger GPU needs first (they are the hardest to place), then by type and labels.
    public static func < (left: DemandShape, right: DemandShape) -> Bool {
        if left.gpuCount != right.gpuCount { return left.gpuCount > right.gpuCount }
        if left.gpuType != right.gpuType { return (left.gpuType ?? "") < (right.gpuType ?? "") }
        if left.minGPUMemoryGB != right.minGPUMemoryGB { return (left.minGPUMemoryGB ?? 0) < (right.minGPUMemoryGB ?? 0) }
        if left.labels != right.labels { return left.labels.lexicographicallyPrecedes(right.labels) }
        return (left.architecture?.rawValue ?? "") < (right.architecture?.rawValue ?? "")
    }

    /// How many jobs of this shape one instance of `offer` runs at once, given `capacity` slots; 0 when it does not fit.
    public func jobsPerInstance(of offer: Offer, capacity: Int) -> Int {
        guard offer.available, fitsGPUs(of: offer) else { return 0 }
        guard gpuCount > 0 else { return capacity }
        return min(capacity, offer.gpuCount / gpuCount)
    }

    private func fitsGPUs(of offer: Offer) -> Bool {
        guard gpuCount > 0 else { return true }
        guard offer.gpuCount >= gpuCount else { return false }
        if let gpuType {
            guard let offered = offer.gpuType, GPU.name(offered, matches: gpuType) else { return false }
        }
        if let minGPUMemoryGB {
            guard let memory = offer.gpuMemoryGB, memory + 1e-9 >= minGPUMemoryGB else { return false }
        }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case gpuCount = "gpu_count"
        case gpuType = "gpu_type"
        case minGPUMemoryGB = "min_gpu_memory_gb"
        case labels, architecture
    }
}

/// Queued jobs of one shape that no runner can take now.
public struct Demand: Codable, Sendable, Hashable {
    public var shape: DemandShape
    public var jobCount: Int
    /// When the oldest of them was submitted: older demand is served first.
    public var oldestSubmittedAt: Date?

    public init(shape: DemandShape, jobCount: Int, oldestSubmittedAt: Date? = nil) {
        self.shape = shape
        self.jobCount = jobCount
        self.oldestSubmittedAt = oldestSubmittedAt
    }

    enum CodingKeys: String, CodingKey {
        case shape
        case jobCount = "job_count"
        case oldestSubmittedAt = "oldest_submitted_at"
    }
}
