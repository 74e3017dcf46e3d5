import AutoGitCore

/// Instances take their GPUs from the fleet: from the runners on the server's own host (where instance processes
/// run), through the same records the scheduler places jobs with. A GPU an instance holds is `allocated_instance`
/// on its runner, so no job is placed on it until the instance stops; a GPU a job holds is not given to an instance.
///
/// A runner is on this host when the host name it registered with is one of the names `localHostNames` gives at
/// the time (the server passes `instances.gpu_hosts`, or when that is empty `gethostname`'s answer, as agents
/// report it, and `localhost`). The instance's process sees exactly its GPUs through ``GPUVisibility``. Holds are journalled with the runners, so they survive a server restart; the
/// instance manager's recovery keeps those of adopted instances and frees the rest.
public struct FleetInstanceGPUs: InstanceGPUAllocator {
    public let fleet: Fleet
    public let localHostNames: @Sendable () -> Set<String>

    /// The names of this machine: `gethostname`'s and `localhost`.
    public static let thisHost: Set<String> = [HostName.current, "localhost"]

    public init(fleet: Fleet, localHostNames: @escaping @Sendable () -> Set<String> = { thisHost }) {
        self.fleet = fleet
        self.localHostNames = localHostNames
    }

    public func allocate(_ requirement: GPURequirement, instance name: String) async throws(ServerError) -> InstanceGPUAllocation {
        let hosts = localHostNames()
        let hold = try await fleet.holdGPUs(for: name, requirement) { runner in runner.host.map(hosts.contains) ?? false }
        return Self.allocation(hold)
    }

    public func release(instance name: String) async {
        await fleet.releaseGPUs(heldBy: name)
    }

    public func allocation(ofInstance name: String) async -> InstanceGPUAllocation? {
        await fleet.instanceGPUHolds[name].map(Self.allocation)
    }

    public func releaseAll(except names: Set<String>) async {
        await fleet.releaseInstanceGPUs(except: names)
    }

    /// The fleet-wide GPU ids (`<runner id>:gpu<index>`) and the visibility variables for them.
    static func allocation(_ hold: InstanceGPUHold) -> InstanceGPUAllocation {
        InstanceGPUAllocation(gpus: hold.gpus.map(\.id), environment: GPUVisibility.environment(for: hold.gpus))
    }
}
