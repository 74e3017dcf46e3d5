import AutoGitCore

/// An allocator without GPUs: a request for one or more is refused.
public struct NoInstanceGPUs: InstanceGPUAllocator {
    public init() {}

    public func allocate(_ requirement: GPURequirement, instance name: String) async throws(ServerError) -> InstanceGPUAllocation {
        throw ServerError(
            .resourceUnavailable, status: 503, "Instance '\(name)' needs \(requirement.count) GPU(s) and this server has none to give",
            details: ["instance": .string(name), "gpu_count": .number(Double(requirement.count))])
    }

    public func release(instance name: String) async {}
}
