/// A runner agent's report on a job it runs: `PATCH /v1/jobs/{id}`. Fields left `nil` are unchanged.
///
/// The server accepts only forward transitions (`assigned → running → final`), from the runner the job is
/// assigned to.
public struct JobUpdate: Codable, Sendable, Hashable {
    public var status: JobStatus?
    public var statusReason: String?
    public var exitCode: Int32?
    /// The results so far, one per step started; replaces the stored list.
    public var stepResults: [StepResult]?

    public init(status: JobStatus? = nil, statusReason: String? = nil, exitCode: Int32? = nil, stepResults: [StepResult]? = nil) {
        self.status = status
        self.statusReason = statusReason
        self.exitCode = exitCode
        self.stepResults = stepResults
    }

    enum CodingKeys: String, CodingKey {
        case status
        case statusReason = "status_reason"
        case exitCode = "exit_code"
        case stepResults = "step_results"
    }
}
