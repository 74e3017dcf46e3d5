import AutoGitCore

extension Fleet {
    /// The queued jobs and the runners with their load, for the autoscaler: the one read the provisioning service
    /// makes of the engine. It relies only on the queue and on runner state: a runner that is `idle` holds no job,
    /// one that is `busy` fills its concurrency; only `active` and `draining` runners (part full) are counted job by
    /// job. Without `includingQueue` the queue is left out (a cheaper read for listings).
    func demandSnapshot(includingQueue: Bool = true) -> FleetDemandSnapshot {
        let queued = includingQueue ? queue.ordered.compactMap { jobs[$0] }.filter { $0.status == .queued } : []
        var partial = Set<String>()
        for runner in runners.values where runner.status == .active || runner.status == .draining {
            partial.insert(runner.id)
        }
        var counted: [String: Int] = [:]
        if !partial.isEmpty {
            for job in jobs.values where job.status == .assigned || job.status == .running {
                if let runnerID = job.runnerID, partial.contains(runnerID) { counted[runnerID, default: 0] += 1 }
            }
        }
        let states = runners.values.sorted { $0.id < $1.id }.map { runner in
            let busy: Int =
                switch runner.status {
                case .busy: max(1, runner.maxConcurrentJobs ?? 1)
                case .active, .draining: counted[runner.id] ?? 0
                default: 0
                }
            return FleetDemandSnapshot.RunnerState(runner: runner, busySlots: busy)
        }
        return FleetDemandSnapshot(queued: queued, runners: states)
    }
}
