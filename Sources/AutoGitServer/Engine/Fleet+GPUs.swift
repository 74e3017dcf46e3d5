import AutoGitCore

/// Filters of `GET /v1/gpus` and `GET /v1/gpus/available`; every filter given must match.
public struct GPUQuery: Sendable {
    public var runnerID: String?
    public var vendor: GPUVendor?
    /// A family or model, matched as a job's `requirements.gpu.type` is (`a100`, `rtx 4090`).
    public var type: String?
    /// At least this much memory, in GiB, compared as a job's `requirements.gpu.min_memory_gb` is.
    public var minMemoryGB: Double?
    /// `true`: only healthy GPUs allocated to nobody; `false`: only the others.
    public var available: Bool?
    /// Only GPUs of runners that accept jobs now (`active`, `idle`, `busy`).
    public var onlyOnAcceptingRunners = false
    public var limit = 50
    public var offset = 0

    public init() {}

    func matches(_ gpu: GPU, on runner: Runner) -> Bool {
        if let runnerID, runner.id != runnerID { return false }
        if let vendor, gpu.vendor != vendor { return false }
        if let type, !gpu.matches(type: type) { return false }
        if let minMemoryGB, !GPURequirement(minMemoryGB: minMemoryGB).accepts(gpu) { return false }
        if let available, gpu.isAvailable != available { return false }
        return !onlyOnAcceptingRunners || runner.status.acceptsJobs
    }
}

extension Fleet {
    /// The GPUs matching `query`, runner by runner in registration order, each runner's by index.
    public func listGPUs(_ query: GPUQuery) -> Page<GPU> {
        let ordered = runners.values.sorted { ($0.registeredAt ?? .distantPast, $0.id) < ($1.registeredAt ?? .distantPast, $1.id) }
        var matching: [GPU] = []
        for runner in ordered {
            for gpu in runner.gpus.sorted(by: { $0.index < $1.index }) where query.matches(gpu, on: runner) {
                matching.append(gpu)
            }
        }
        return Page(slicing: matching, limit: query.limit, offset: query.offset)
    }

    /// The GPU with the fleet-wide id `<runner id>:gpu<index>`, or a 404 `GPU_NOT_FOUND`.
    public func gpu(_ id: String) throws(ServerError) -> GPU {
        let owner = id.split(separator: ":", maxSplits: 1).first.map(String.init) ?? id
        guard let gpu = runners[owner]?.gpus.first(where: { $0.id == id }) else {
            throw ServerError(.gpuNotFound, status: 404, "GPU '\(id)' not found", details: ["gpu_id": .string(id)])
        }
        return gpu
    }
}
