import AutoGitCore

/// Counts across the fleet, for `GET /v1/system/status` and `GET /metrics`.
public struct FleetSummary: Sendable {
    public var runnersByStatus: [String: Int] = [:]
    public var jobsByStatus: [String: Int] = [:]
    /// Jobs waiting in the queue.
    public var queueDepth = 0
    public var gpuCount = 0
    public var allocatedGPUs = 0
    public var availableGPUs = 0

    public var runnerCount: Int { runnersByStatus.values.reduce(0, +) }
    public var jobCount: Int { jobsByStatus.values.reduce(0, +) }
}

extension Fleet {
    public func summary() -> FleetSummary {
        var summary = FleetSummary()
        for runner in runners.values {
            summary.runnersByStatus[runner.status.rawValue, default: 0] += 1
            summary.gpuCount += runner.gpus.count
            summary.allocatedGPUs += runner.gpus.filter { $0.allocatedJobID != nil || $0.allocatedInstance != nil }.count
            if runner.status.acceptsJobs { summary.availableGPUs += runner.gpus.filter(\.isAvailable).count }
        }
        for (status, count) in index.countsByStatus { summary.jobsByStatus[status.rawValue, default: 0] += count }
        summary.queueDepth = queue.count
        return summary
    }
}
