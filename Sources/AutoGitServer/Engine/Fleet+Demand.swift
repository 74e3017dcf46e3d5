import AutoGitCore

extension Fleet {
    /// The queued jobs and the runners with their load, for the autoscaler: the one read the provisioning service
    /// makes of the engine, in one step of the actor. A runner's load is the number of jobs assigned to it (those
    /// still in its mailbox included) or running on it, from the engine's index, whatever its status. Without
    /// `includingQueue` the queue is left out (a cheaper read for listings).
    func demandSnapshot(includingQueue: Bool = true) -> FleetDemandSnapshot {
        let queued = includingQueue ? queue.ordered.compactMap { jobs[$0] } : []
        let states = runners.values.sorted { $0.id < $1.id }.map { runner in
            FleetDemandSnapshot.RunnerState(runner: runner, busySlots: index.activeCount(of: runner.id))
        }
        return FleetDemandSnapshot(queued: queued, runners: states)
    }
}
