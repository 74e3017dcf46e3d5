import AutoGitCore
import Foundation

/// The autoscaler's demand, read from a fleet snapshot: the queued jobs that the runners there now cannot take,
/// grouped by shape.
///
/// "Cannot take" is what the core ``Scheduler`` says when it places the whole queue on the runners' free capacity:
/// a job is demand when no runner could ever run it (`noMatchingRunner`) *and* when every runner that could is full
/// (`waitingForCapacity`), so jobs never wait on a full instance while a provider has headroom. Jobs pinned to a
/// runner wait for that runner and are never demand.
struct DemandAnalysis: Sendable {
    /// Per shape, oldest first by the autoscaler's own ordering.
    var demand: [Demand]
    /// The waiting jobs of each shape, in queue order.
    var jobsByShape: [DemandShape: [String]]
    /// Queued jobs that a runner can take now, by runner: that runner is about to be busy, not idle.
    var placeable: [String: Int]

    init(_ snapshot: FleetDemandSnapshot) {
        let capacities = snapshot.runners.map { RunnerCapacity(runner: $0.runner, runningJobs: $0.busySlots) }
        let plan = Scheduler().place(snapshot.queued.map(QueuedJob.init), on: capacities)
        let unplaced = Set(plan.unplaced.map(\.jobID))
        var placeable: [String: Int] = [:]
        for assignment in plan.assignments { placeable[assignment.runnerID, default: 0] += 1 }
        self.placeable = placeable
        var jobsByShape: [DemandShape: [String]] = [:]
        var oldest: [DemandShape: Date] = [:]
        for job in snapshot.queued where unplaced.contains(job.id) && job.spec.requirements.runnerID == nil {
            let shape = DemandShape(job.spec.requirements)
            jobsByShape[shape, default: []].append(job.id)
            oldest[shape] = min(oldest[shape] ?? job.createdAt, job.createdAt)
        }
        self.jobsByShape = jobsByShape
        demand = jobsByShape.keys.sorted().map { shape in
            Demand(shape: shape, jobCount: jobsByShape[shape]?.count ?? 0, oldestSubmittedAt: oldest[shape])
        }
    }
}
