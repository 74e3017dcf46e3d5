/// The GPUs a job needs, all on one runner.
public struct GPURequirement: Codable, Sendable, Hashable {
    public var count: Int
    /// A GPU family or model, matched case-insensitively (`a100` matches `NVIDIA A100-SXM4-80GB`); see
    /// ``GPU/matches(type:)``.
    public var type: String?
    /// Minimum memory per GPU, in GiB.
    public var minMemoryGB: Double?

    public init(count: Int = 1, type: String? = nil, minMemoryGB: Double? = nil) {
        self.count = count
        self.type = type
        self.minMemoryGB = minMemoryGB
    }

    enum CodingKeys: String, CodingKey {
        case count, type
        case minMemoryGB = "min_memory_gb"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count, default: 1)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        minMemoryGB = try container.decodeIfPresent(Double.self, forKey: .minMemoryGB)
    }

    /// Whether `gpu` can serve this requirement by type and memory (count aside).
    public func accepts(_ gpu: GPU) -> Bool {
        if let type, !gpu.matches(type: type) { return false }
        if let minMemoryGB, gpu.memoryTotalGB + 1e-9 < minMemoryGB { return false }
        return true
    }
}

/// What a runner must have to take a job. Every listed label must be present on the runner.
public struct JobRequirements: Codable, Sendable, Hashable {
    public var labels: [String]
    public var architecture: Architecture?
    public var gpu: GPURequirement?
    /// Pins the job to one runner (jobs submitted through `POST /v1/runners/{id}/jobs`).
    public var runnerID: String?

    public init(labels: [String] = [], architecture: Architecture? = nil, gpu: GPURequirement? = nil, runnerID: String? = nil) {
        self.labels = labels
        self.architecture = architecture
        self.gpu = gpu
        self.runnerID = runnerID
    }

    enum CodingKeys: String, CodingKey {
        case labels, architecture, gpu
        case runnerID = "runner_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        labels = try container.decode([String].self, forKey: .labels, default: [])
        architecture = try container.decodeIfPresent(Architecture.self, forKey: .architecture)
        gpu = try container.decodeIfPresent(GPURequirement.self, forKey: .gpu)
        runnerID = try container.decodeIfPresent(String.self, forKey: .runnerID)
    }

    /// The number of GPUs required, zero when none.
    public var gpuCount: Int { gpu?.count ?? 0 }
}
