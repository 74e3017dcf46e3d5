/// Where a job is: `queued → assigned → running → succeeded | failed | cancelled | timed_out`.
///
/// A job whose runner is lost returns to `queued` while its retries last.
public enum JobStatus: ExtensibleEnum, CaseIterable {
    case queued, assigned, running, succeeded, failed, cancelled, timedOut
    case unknown(String)

    public static let allCases: [JobStatus] = [.queued, .assigned, .running, .succeeded, .failed, .cancelled, .timedOut]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .queued: "queued"
        case .assigned: "assigned"
        case .running: "running"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .timedOut: "timed_out"
        case .unknown(let value): value
        }
    }

    /// Whether the job has ended and will not change again.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .timedOut: true
        default: false
        }
    }
}
