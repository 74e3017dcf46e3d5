import AutoGitCore

/// Where instances get their GPUs. The server plugs in ``FleetInstanceGPUs``, so an instance and a job never hold
/// the same GPU; ``NoInstanceGPUs`` (no GPUs at all) is the default of a bare ``InstanceManager``.
public protocol InstanceGPUAllocator: Sendable {
    /// Reserves GPUs meeting `requirement` for the instance `name` until ``release(instance:)``. Throws 503
    /// `RESOURCE_UNAVAILABLE` when they are taken or do not exist.
    func allocate(_ requirement: GPURequirement, instance name: String) async throws(ServerError) -> InstanceGPUAllocation
    /// Frees whatever `name` holds; releasing nothing is fine.
    func release(instance name: String) async
    /// What `name` holds now, for an instance adopted after a server restart (its allocation was made by the
    /// previous server). Nil when it holds nothing or the allocator forgets at a restart.
    func allocation(ofInstance name: String) async -> InstanceGPUAllocation?
    /// Frees what every instance but `names` holds: after a restart, the holds of instances that no longer run.
    func releaseAll(except names: Set<String>) async
}

extension InstanceGPUAllocator {
    /// Nothing outlives a restart by default.
    public func allocation(ofInstance name: String) async -> InstanceGPUAllocation? { nil }

    public func releaseAll(except names: Set<String>) async {}
}
