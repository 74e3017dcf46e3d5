import Foundation

/// An attempt of a job that ended and was followed by another (the job was retried, or its runner was lost while it
/// ran): where it ran, how and when it ended. The job's own fields describe its current attempt.
public struct JobAttempt: Codable, Sendable, Hashable {
    public var attempt: Int
    /// How it ended: `failed` or `timed_out` (a runner lost mid-run counts as `failed`, `reason` says so).
    public var status: JobStatus
    public var reason: String?
    public var runnerID: String?
    /// The runner's fleeting provider and the offer it was provisioned from, for the cost of the attempt once the
    /// runner is gone.
    public var provider: String?
    public var offerID: String?
    public var gpuIndices: [Int]
    public var exitCode: Int32?
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        attempt: Int, status: JobStatus, reason: String? = nil, runnerID: String? = nil, provider: String? = nil,
        offerID: String? = nil, gpuIndices: [Int] = [], exitCode: Int32? = nil, startedAt: Date? = nil, completedAt: Date? = nil
    ) {
        self.attempt = attempt
        self.status = status
        self.reason = reason
        self.runnerID = runnerID
        self.provider = provider
        self.offerID = offerID
        self.gpuIndices = gpuIndices
        self.exitCode = exitCode
        self.startedAt = startedAt
        self.completedAt = completedAt
    }

    /// Seconds it ran, when it started.
    public var duration: Double? {
        guard let startedAt, let completedAt else { return nil }
        return max(0, completedAt.timeIntervalSince(startedAt))
    }

    enum CodingKeys: String, CodingKey {
        case attempt, status, reason
        case runnerID = "runner_id"
        case provider
        case offerID = "offer_id"
        case gpuIndices = "gpu_indices"
        case exitCode = "exit_code"
        case startedAt = "started_at"
        case completedAt = "completed_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        attempt = try container.decode(Int.self, forKey: .attempt)
        status = try container.decode(JobStatus.self, forKey: .status)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        runnerID = try container.decodeIfPresent(String.self, forKey: .runnerID)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        offerID = try container.decodeIfPresent(String.self, forKey: .offerID)
        gpuIndices = try container.decode([Int].self, forKey: .gpuIndices, default: [])
        exitCode = try container.decodeIfPresent(Int32.self, forKey: .exitCode)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        completedAt = try container.decodeIfPresent(Date.self, forKey: .completedAt)
    }
}
