import AutoGitCore

/// A fixed set of local GPUs shared by instances only (a single machine without the fleet), exposed through one
/// visibility variable.
public actor InstanceGPUPool: InstanceGPUAllocator {
    private let gpus: [String]
    private let variable: String
    private var holders: [String: [String]] = [:]

    /// `gpus` are the indices the visibility variable takes (`["0", "1"]`); `variable` is `CUDA_VISIBLE_DEVICES` for
    /// NVIDIA, `HIP_VISIBLE_DEVICES` for AMD.
    public init(gpus: [String], variable: String = "CUDA_VISIBLE_DEVICES") {
        self.gpus = gpus
        self.variable = variable
    }

    public func allocate(_ requirement: GPURequirement, instance name: String) async throws(ServerError) -> InstanceGPUAllocation {
        release(name)
        let held = Set(holders.values.joined())
        let free = gpus.filter { !held.contains($0) }
        guard requirement.count <= free.count else {
            throw ServerError(
                .resourceUnavailable, status: 503,
                "Instance '\(name)' needs \(requirement.count) GPU(s); \(free.count) of \(gpus.count) are free",
                details: ["instance": .string(name), "gpu_count": .number(Double(requirement.count))])
        }
        let chosen = Array(free.prefix(requirement.count))
        holders[name] = chosen
        return InstanceGPUAllocation(gpus: chosen, environment: [variable: chosen.joined(separator: ",")])
    }

    public func release(instance name: String) async {
        release(name)
    }

    private func release(_ name: String) {
        holders[name] = nil
    }

    /// Which instance holds which GPUs.
    public var allocations: [String: [String]] { holders }
}
