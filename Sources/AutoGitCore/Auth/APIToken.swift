import Foundation

/// An API token's record. The secret itself appears only in the answer that creates it (`token`); the server
/// stores a SHA-256 hash.
public struct APIToken: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var role: Role
    /// For `runner` tokens: the runner it belongs to.
    public var runnerID: String?
    /// The first characters of the secret, to recognise it in lists (`agt_3kF9`).
    public var prefix: String?
    /// The secret: set only when the token was just created.
    public var token: String?
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    public init(
        id: String, name: String, role: Role, runnerID: String? = nil, prefix: String? = nil, token: String? = nil,
        createdAt: Date, expiresAt: Date? = nil, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.runnerID = runnerID
        self.prefix = prefix
        self.token = token
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role
        case runnerID = "runner_id"
        case prefix, token
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
    }
}

/// A request for a new API token: `POST /v1/tokens`.
public struct TokenCreateRequest: Codable, Sendable, Hashable {
    public var name: String
    public var role: Role
    /// Lifetime in seconds; the token never expires when `nil`.
    public var expiresIn: Int?

    public init(name: String, role: Role, expiresIn: Int? = nil) {
        self.name = name
        self.role = role
        self.expiresIn = expiresIn
    }

    enum CodingKeys: String, CodingKey {
        case name, role
        case expiresIn = "expires_in"
    }
}

/// Username and password for `POST /v1/auth/login`.
public struct LoginRequest: Codable, Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// A session token from login or refresh: a signed JWT and when it expires.
public struct SessionToken: Codable, Sendable, Hashable {
    public var token: String
    public var expiresAt: Date
    public var tokenType: String?
    public var role: Role?

    public init(token: String, expiresAt: Date, tokenType: String? = "Bearer", role: Role? = nil) {
        self.token = token
        self.expiresAt = expiresAt
        self.tokenType = tokenType
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case token
        case expiresAt = "expires_at"
        case tokenType = "token_type"
        case role
    }
}
