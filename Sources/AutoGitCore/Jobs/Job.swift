import Foundation

/// A submitted job: its spec, where it runs, and how it went.
///
/// On the wire the spec's fields sit beside the job's own (`{"id", "name", "steps", ..., "status", "runner_id"}`).
public struct Job: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var spec: JobSpec
    public var status: JobStatus
    /// Why the job is in its status, for people: "waiting for a runner with 2× a100", "runner lost", "timed out
    /// after 300 s".
    public var statusReason: String?
    /// Which run of the job this is, from 1; grows when the job is retried or re-queued.
    public var attempt: Int
    public var runnerID: String?
    /// The GPU indices on `runnerID` allocated to this job; the step sees them as `CUDA_VISIBLE_DEVICES`.
    public var gpuIndices: [Int]
    public var exitCode: Int32?
    public var stepResults: [StepResult]
    /// Set when cancellation was asked for while the job was running; the runner stops it within one poll.
    public var cancelRequested: Bool
    public var createdAt: Date
    public var assignedAt: Date?
    public var startedAt: Date?
    public var completedAt: Date?
    /// The attempts before the current one, oldest first.
    public var previousAttempts: [JobAttempt]

    public init(
        id: String, spec: JobSpec, status: JobStatus = .queued, statusReason: String? = nil, attempt: Int = 1,
        runnerID: String? = nil, gpuIndices: [Int] = [], exitCode: Int32? = nil, stepResults: [StepResult] = [],
        cancelRequested: Bool = false, createdAt: Date, assignedAt: Date? = nil, startedAt: Date? = nil,
        completedAt: Date? = nil, previousAttempts: [JobAttempt] = []
    ) {
        self.id = id
        self.spec = spec
        self.status = status
        self.statusReason = statusReason
        self.attempt = attempt
        self.runnerID = runnerID
        self.gpuIndices = gpuIndices
        self.exitCode = exitCode
        self.stepResults = stepResults
        self.cancelRequested = cancelRequested
        self.createdAt = createdAt
        self.assignedAt = assignedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.previousAttempts = previousAttempts
    }

    enum CodingKeys: String, CodingKey {
        case id
        case jobID = "job_id"
        case status
        case statusReason = "status_reason"
        case attempt
        case runnerID = "runner_id"
        case gpuIndices = "gpu_indices"
        case exitCode = "exit_code"
        case stepResults = "step_results"
        case cancelRequested = "cancel_requested"
        case createdAt = "created_at"
        case assignedAt = "assigned_at"
        case startedAt = "started_at"
        case completedAt = "completed_at"
        case previousAttempts = "previous_attempts"
        case duration
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // RustCI and PEFT Studio name the id `job_id`.
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? container.decode(String.self, forKey: .jobID)
        spec = try JobSpec(from: decoder)
        status = try container.decode(JobStatus.self, forKey: .status)
        statusReason = try container.decodeIfPresent(String.self, forKey: .statusReason)
        attempt = try container.decode(Int.self, forKey: .attempt, default: 1)
        runnerID = try container.decodeIfPresent(String.self, forKey: .runnerID)
        gpuIndices = try container.decode([Int].self, forKey: .gpuIndices, default: [])
        exitCode = try container.decodeIfPresent(Int32.self, forKey: .exitCode)
        stepResults = try container.decode([StepResult].self, forKey: .stepResults, default: [])
        cancelRequested = try container.decode(Bool.self, forKey: .cancelRequested, default: false)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        assignedAt = try container.decodeIfPresent(Date.self, forKey: .assignedAt)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        completedAt = try container.decodeIfPresent(Date.self, forKey: .completedAt)
        previousAttempts = try container.decode([JobAttempt].self, forKey: .previousAttempts, default: [])
    }

    public func encode(to encoder: any Encoder) throws {
        try spec.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(statusReason, forKey: .statusReason)
        try container.encode(attempt, forKey: .attempt)
        try container.encodeIfPresent(runnerID, forKey: .runnerID)
        try container.encode(gpuIndices, forKey: .gpuIndices)
        try container.encodeIfPresent(exitCode, forKey: .exitCode)
        try container.encode(stepResults, forKey: .stepResults)
        try container.encode(cancelRequested, forKey: .cancelRequested)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(assignedAt, forKey: .assignedAt)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(completedAt, forKey: .completedAt)
        if completedAt != nil { try container.encodeIfPresent(duration, forKey: .duration) }
        if !previousAttempts.isEmpty { try container.encode(previousAttempts, forKey: .previousAttempts) }
    }

    public var name: String { spec.name }

    /// Seconds the job ran: from start to completion, or to now while it runs (written to JSON only once final).
    public var duration: Double? {
        guard let startedAt else { return nil }
        return (completedAt ?? Date()).timeIntervalSince(startedAt)
    }
}
