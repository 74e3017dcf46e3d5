import Foundation

/// The outcome of one named health check, with whatever measurements the check reports
/// (`response_time_ms`, `available_gb`, `version` ...) kept in `details` and written beside `status` on the wire.
public struct HealthCheck: Codable, Sendable, Hashable {
    /// The verdict of one check.
    public enum Status: ExtensibleEnum, CaseIterable {
        case pass, warn, fail
        case unknown(String)

        public static let allCases: [Status] = [.pass, .warn, .fail]

        public init(rawValue: String) {
            self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
        }

        public var rawValue: String {
            switch self {
            case .pass: "pass"
            case .warn: "warn"
            case .fail: "fail"
            case .unknown(let value): value
            }
        }
    }

    public var status: Status
    public var message: String?
    public var details: [String: JSONValue]

    public init(status: Status, message: String? = nil, details: [String: JSONValue] = [:]) {
        self.status = status
        self.message = message
        self.details = details
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var details: [String: JSONValue] = [:]
        for key in container.allKeys where key.stringValue != "status" && key.stringValue != "message" {
            details[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.status = try container.decode(Status.self, forKey: Key(stringValue: "status"))
        self.message = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "message"))
        self.details = details
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in details where key != "status" && key != "message" {
            try container.encode(value, forKey: Key(stringValue: key))
        }
        try container.encode(status, forKey: Key(stringValue: "status"))
        try container.encodeIfPresent(message, forKey: Key(stringValue: "message"))
    }
}
