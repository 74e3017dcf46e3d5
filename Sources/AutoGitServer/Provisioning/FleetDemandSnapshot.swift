import AutoGitCore

/// What the provisioning service reads of the fleet for one autoscaling pass: the queued jobs in queue order and
/// every runner with the jobs it runs now. A copy, taken in one step of the ``Fleet`` actor, so it is consistent.
struct FleetDemandSnapshot: Sendable {
    /// One runner and how many jobs it holds (assigned or running).
    struct RunnerState: Sendable {
        var runner: Runner
        var busySlots: Int
    }

    /// Queued jobs, in the order the queue hands them out.
    var queued: [Job]
    var runners: [RunnerState]
}
