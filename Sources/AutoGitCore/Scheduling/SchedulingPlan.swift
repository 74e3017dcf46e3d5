/// A job placed on a runner by the ``Scheduler``, with the GPUs it is given.
public struct JobAssignment: Sendable, Hashable {
    public var jobID: String
    public var runnerID: String
    /// The runner's GPU indices (``GPU/index``) given to the job, ascending; empty for a job that needs no GPU.
    public var gpuIndices: [Int]

    public init(jobID: String, runnerID: String, gpuIndices: [Int]) {
        self.jobID = jobID
        self.runnerID = runnerID
        self.gpuIndices = gpuIndices
    }
}

/// Capacity the ``Scheduler`` kept back on a runner for a job that does not fit yet, so that jobs behind it in the
/// queue cannot take it: the free GPUs the job will use and one job slot.
public struct CapacityReservation: Sendable, Hashable {
    public var jobID: String
    public var runnerID: String
    /// Free GPUs held for the job; fewer than it needs (otherwise it would have been placed) unless it waits for a
    /// job slot.
    public var gpuIndices: [Int]

    public init(jobID: String, runnerID: String, gpuIndices: [Int]) {
        self.jobID = jobID
        self.runnerID = runnerID
        self.gpuIndices = gpuIndices
    }
}

/// A job the ``Scheduler`` left in the queue, and why.
public struct UnplacedJob: Sendable, Hashable {
    /// Why a job stays queued.
    public enum Reason: Sendable, Hashable {
        /// No runner in the fleet could ever run it (labels, architecture, GPU type, count or memory): the
        /// autoscaler's demand.
        case noMatchingRunner
        /// Runners match it, but none has the free slot and GPUs now.
        case waitingForCapacity
    }

    public var jobID: String
    public var reason: Reason

    public init(jobID: String, reason: Reason) {
        self.jobID = jobID
        self.reason = reason
    }
}

/// The outcome of one scheduling pass. Every queued job appears once: in ``assignments`` or in ``unplaced``.
public struct SchedulingPlan: Sendable, Hashable {
    /// Placements in queue order (priority, then submission time).
    public var assignments: [JobAssignment]
    /// Capacity held for blocked jobs during this pass, in queue order; each such job is also in ``unplaced``.
    public var reservations: [CapacityReservation]
    /// Jobs left queued, in queue order.
    public var unplaced: [UnplacedJob]

    public init(assignments: [JobAssignment] = [], reservations: [CapacityReservation] = [], unplaced: [UnplacedJob] = []) {
        self.assignments = assignments
        self.reservations = reservations
        self.unplaced = unplaced
    }
}
