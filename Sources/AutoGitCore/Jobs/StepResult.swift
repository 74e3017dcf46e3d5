import Foundation

/// How one step of a job went.
public struct StepResult: Codable, Sendable, Hashable {
    /// Where a step is.
    public enum Status: ExtensibleEnum, CaseIterable {
        case pending, running, succeeded, failed, skipped, cancelled, timedOut
        case unknown(String)

        public static let allCases: [Status] = [.pending, .running, .succeeded, .failed, .skipped, .cancelled, .timedOut]

        public init(rawValue: String) {
            self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
        }

        public var rawValue: String {
            switch self {
            case .pending: "pending"
            case .running: "running"
            case .succeeded: "succeeded"
            case .failed: "failed"
            case .skipped: "skipped"
            case .cancelled: "cancelled"
            case .timedOut: "timed_out"
            case .unknown(let value): value
            }
        }
    }

    public var name: String
    public var status: Status
    public var exitCode: Int32?
    public var startedAt: Date?
    public var completedAt: Date?

    public init(name: String, status: Status, exitCode: Int32? = nil, startedAt: Date? = nil, completedAt: Date? = nil) {
        self.name = name
        self.status = status
        self.exitCode = exitCode
        self.startedAt = startedAt
        self.completedAt = completedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case exitCode = "exit_code"
        case startedAt = "started_at"
        case completedAt = "completed_at"
        case duration
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(Status.self, forKey: .status)
        exitCode = try container.decodeIfPresent(Int32.self, forKey: .exitCode)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        completedAt = try container.decodeIfPresent(Date.self, forKey: .completedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(exitCode, forKey: .exitCode)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        try container.encodeIfPresent(completedAt, forKey: .completedAt)
        try container.encodeIfPresent(duration, forKey: .duration)
    }

    /// Seconds from start to completion, when both are known.
    public var duration: Double? {
        guard let startedAt, let completedAt else { return nil }
        return completedAt.timeIntervalSince(startedAt)
    }
}
