import AutoGitCore

/// Where instances get their GPUs. The server plugs in the fleet's allocator, so an instance and a job never hold
/// the same GPU; ``NoInstanceGPUs`` (no GPUs at all) is the default.
public protocol InstanceGPUAllocator: Sendable {
    /// Reserves GPUs meeting `requirement` for the instance `name` until ``release(instance:)``. Throws 503
    /// `RESOURCE_UNAVAILABLE` when they are taken or do not exist.
    func allocate(_ requirement: GPURequirement, instance name: String) async throws(ServerError) -> InstanceGPUAllocation
    /// Frees whatever `name` holds; releasing nothing is fine.
    func release(instance name: String) async
}
