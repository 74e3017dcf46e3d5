import AutoGitCore

/// Who is making a request, once authenticated: an API token or a login session, with its role.
public struct Principal: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case apiToken = "token"
        case session
        /// Authentication is switched off (`auth.enabled: false`): every request acts as admin.
        case anonymous
    }

    public var kind: Kind
    /// The token id, or the username of a session.
    public var id: String
    public var name: String
    public var role: Role
    /// For `runner` tokens: the runner the token belongs to; nil for a registration token.
    public var runnerID: String?

    public init(kind: Kind, id: String, name: String, role: Role, runnerID: String? = nil) {
        self.kind = kind
        self.id = id
        self.name = name
        self.role = role
        self.runnerID = runnerID
    }

    /// The key its requests are rate limited under.
    public var rateLimitKey: String { "\(kind.rawValue):\(id)" }
}
