import Foundation

/// How important a log line is. `WARNING`, `INFO` and other spellings read as the canonical lower-case levels.
public enum LogLevel: ExtensibleEnum, CaseIterable, Comparable {
    case debug, info, warn, error
    case unknown(String)

    public static let allCases: [LogLevel] = [.debug, .info, .warn, .error]

    public init(rawValue: String) {
        switch rawValue.lowercased() {
        case "debug", "trace": self = .debug
        case "info", "notice": self = .info
        case "warn", "warning": self = .warn
        case "error", "err", "fatal", "critical": self = .error
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        case .unknown(let value): value
        }
    }

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info, .unknown: 1
        case .warn: 2
        case .error: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// Which output a log line came from.
public enum LogStream: ExtensibleEnum, CaseIterable {
    case stdout, stderr, system
    case unknown(String)

    public static let allCases: [LogStream] = [.stdout, .stderr, .system]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .stdout: "stdout"
        case .stderr: "stderr"
        case .system: "system"
        case .unknown(let value): value
        }
    }
}

/// One log line of a job, runner or instance.
///
/// Job log lines carry a `sequence` number assigned by the runner agent, from 1 and without gaps: the server keeps
/// a line only if its sequence is new, so an upload retried after a dropped connection neither loses nor
/// duplicates lines.
public struct LogEntry: Codable, Sendable, Hashable {
    public var sequence: Int?
    public var timestamp: Date
    public var level: LogLevel
    public var message: String
    public var stream: LogStream?
    /// The name of the job step that wrote the line.
    public var step: String?
    public var jobID: String?
    public var context: [String: JSONValue]?

    public init(
        sequence: Int? = nil, timestamp: Date, level: LogLevel = .info, message: String, stream: LogStream? = nil,
        step: String? = nil, jobID: String? = nil, context: [String: JSONValue]? = nil
    ) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.level = level
        self.message = message
        self.stream = stream
        self.step = step
        self.jobID = jobID
        self.context = context
    }

    enum CodingKeys: String, CodingKey {
        case sequence = "seq"
        case timestamp, level, message, stream, step
        case jobID = "job_id"
        case context
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decodeIfPresent(Int.self, forKey: .sequence)
        timestamp = try container.decode(Date.self, forKey: .timestamp)
        level = try container.decode(LogLevel.self, forKey: .level, default: .info)
        message = try container.decode(String.self, forKey: .message)
        stream = try container.decodeIfPresent(LogStream.self, forKey: .stream)
        step = try container.decodeIfPresent(String.self, forKey: .step)
        jobID = try container.decodeIfPresent(String.self, forKey: .jobID)
        context = try container.decodeIfPresent([String: JSONValue].self, forKey: .context)
    }
}

/// Log lines a runner agent uploads for a job: `POST /v1/jobs/{id}/logs`. Idempotent: lines whose sequence the
/// server already holds are skipped.
public struct LogBatch: Codable, Sendable, Hashable {
    public var entries: [LogEntry]

    public init(entries: [LogEntry]) {
        self.entries = entries
    }
}

/// The server's answer to a log upload: how many lines were new, and the highest sequence it now holds (the agent
/// resumes after it).
public struct LogBatchResult: Codable, Sendable, Hashable {
    public var accepted: Int
    public var lastSequence: Int

    public init(accepted: Int, lastSequence: Int) {
        self.accepted = accepted
        self.lastSequence = lastSequence
    }

    enum CodingKeys: String, CodingKey {
        case accepted
        case lastSequence = "last_sequence"
    }
}
