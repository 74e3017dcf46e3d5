import Foundation

/// A subscription that POSTs events to a URL, signed with `X-AutoGit-Signature: sha256=<hex HMAC of the body>`
/// and `X-AutoGit-Timestamped-Signature: t=<unix>,v1=<hex>` (see ``WebhookSignature``).
///
/// `secret` is returned only when the webhook is created (or when the caller supplied it); stored webhooks answer
/// without it.
public struct Webhook: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var url: String
    /// The event types delivered; every type when empty.
    public var events: [EventType]
    public var description: String?
    public var active: Bool
    public var secret: String?
    public var createdAt: Date
    public var updatedAt: Date?

    public init(
        id: String, url: String, events: [EventType] = [], description: String? = nil, active: Bool = true,
        secret: String? = nil, createdAt: Date, updatedAt: Date? = nil
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.description = description
        self.active = active
        self.secret = secret
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events, description, active, secret
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        url = try container.decode(String.self, forKey: .url)
        events = try container.decode([EventType].self, forKey: .events, default: [])
        description = try container.decodeIfPresent(String.self, forKey: .description)
        active = try container.decode(Bool.self, forKey: .active, default: true)
        secret = try container.decodeIfPresent(String.self, forKey: .secret)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }

    /// Whether this webhook receives events of `type`.
    public func wants(_ type: EventType) -> Bool {
        active && (events.isEmpty || events.contains(type))
    }
}

/// A request to create a webhook: `POST /v1/webhooks`. Without a `secret`, the server generates one and returns it
/// once.
public struct WebhookCreateRequest: Codable, Sendable, Hashable {
    public var url: String
    public var events: [EventType]
    public var description: String?
    public var secret: String?
    public var active: Bool?

    public init(url: String, events: [EventType] = [], description: String? = nil, secret: String? = nil, active: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.active = active
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        events = try container.decode([EventType].self, forKey: .events, default: [])
        description = try container.decodeIfPresent(String.self, forKey: .description)
        secret = try container.decodeIfPresent(String.self, forKey: .secret)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
    }
}

/// A change to a webhook: `PATCH /v1/webhooks/{id}`. Fields left nil keep their value; `rotateSecret` replaces the
/// signing secret with a generated one, returned once (as a `secret` given here is not).
public struct WebhookUpdateRequest: Codable, Sendable, Hashable {
    public var url: String?
    /// Every type when set to an empty list.
    public var events: [EventType]?
    public var description: String?
    public var active: Bool?
    public var secret: String?
    public var rotateSecret: Bool?

    public init(
        url: String? = nil, events: [EventType]? = nil, description: String? = nil, active: Bool? = nil, secret: String? = nil,
        rotateSecret: Bool? = nil
    ) {
        self.url = url
        self.events = events
        self.description = description
        self.active = active
        self.secret = secret
        self.rotateSecret = rotateSecret
    }

    enum CodingKeys: String, CodingKey {
        case url, events, description, active, secret
        case rotateSecret = "rotate_secret"
    }
}

/// One attempt history of delivering an event to a webhook.
public struct WebhookDelivery: Codable, Sendable, Hashable, Identifiable {
    /// Where a delivery is.
    public enum Status: ExtensibleEnum, CaseIterable {
        case pending, succeeded, failed
        case unknown(String)

        public static let allCases: [Status] = [.pending, .succeeded, .failed]

        public init(rawValue: String) {
            self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
        }

        public var rawValue: String {
            switch self {
            case .pending: "pending"
            case .succeeded: "succeeded"
            case .failed: "failed"
            case .unknown(let value): value
            }
        }
    }

    public var id: String
    public var webhookID: String
    public var eventID: String
    public var eventType: EventType
    public var status: Status
    public var attempts: Int
    /// The receiver's HTTP status on the last attempt.
    public var responseStatus: Int?
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(
        id: String, webhookID: String, eventID: String, eventType: EventType, status: Status = .pending, attempts: Int = 0,
        responseStatus: Int? = nil, lastError: String? = nil, nextAttemptAt: Date? = nil, createdAt: Date,
        deliveredAt: Date? = nil
    ) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.status = status
        self.attempts = attempts
        self.responseStatus = responseStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case webhookID = "webhook_id"
        case eventID = "event_id"
        case eventType = "event_type"
        case status, attempts
        case responseStatus = "response_status"
        case lastError = "last_error"
        case nextAttemptAt = "next_attempt_at"
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
    }
}
