import Foundation

/// Something that happened in the fleet, as delivered over `GET /v1/events` (SSE) and to webhooks.
///
/// `id` increases with every event; a client that reconnects with `Last-Event-ID` receives what it missed while
/// the server still holds it.
public struct Event: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var type: EventType
    /// The event's data: for `job_status_changed`, `{"job_id", "old_status", "new_status", "runner_id"}`; for
    /// `runner_status_changed`, `{"runner_id", "old_status", "new_status"}`; see Docs/openapi.yaml for each type.
    public var payload: JSONValue
    public var timestamp: Date

    public init(id: String, type: EventType, payload: JSONValue, timestamp: Date) {
        self.id = id
        self.type = type
        self.payload = payload
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case id, type, payload, timestamp
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? container.decode(String.self, forKey: .id) {
            id = text
        } else if let number = try? container.decode(Int.self, forKey: .id) {
            id = String(number)
        } else {
            id = ""
        }
        type = try container.decode(EventType.self, forKey: .type)
        timestamp = try container.decode(Date.self, forKey: .timestamp)
        if let payload = try container.decodeIfPresent(JSONValue.self, forKey: .payload) {
            self.payload = payload
        } else {
            // The seed systems put the data beside `type` (`{"type": ..., "runner_id": ..., "new_status": ...}`).
            let any = try decoder.container(keyedBy: AnyKey.self)
            var members: [String: JSONValue] = [:]
            for key in any.allKeys where !["id", "type", "timestamp"].contains(key.stringValue) {
                members[key.stringValue] = try any.decode(JSONValue.self, forKey: key)
            }
            payload = .object(members)
        }
    }
}
