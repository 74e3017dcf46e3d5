import Foundation

/// A job waiting for a runner, as the ``Scheduler`` sees it: what it needs and where it stands in the queue.
public struct QueuedJob: Sendable, Hashable, Identifiable {
    public var id: String
    public var requirements: JobRequirements
    /// Higher is placed first.
    public var priority: Int
    /// When the job was submitted (or re-queued); earlier is placed first among equal priorities.
    public var submittedAt: Date

    public init(id: String, requirements: JobRequirements = JobRequirements(), priority: Int = 0, submittedAt: Date) {
        self.id = id
        self.requirements = requirements
        self.priority = priority
        self.submittedAt = submittedAt
    }

    /// The queue entry of `job`: its spec's requirements and priority, submitted at its creation time.
    public init(_ job: Job) {
        self.init(id: job.id, requirements: job.spec.requirements, priority: job.spec.priority, submittedAt: job.createdAt)
    }
}
