import AutoGitHTTP

/// What the credentials of a request turned out to be; set by `AuthenticationMiddleware`, checked per route.
enum Authentication: Sendable {
    /// No `Authorization` or `X-API-Key` header.
    case none
    case authenticated(Principal)
    /// Credentials were sent but are unknown, expired, revoked or malformed.
    case rejected(String)

    enum Key: HTTPAttributeKey {
        typealias Value = Authentication
    }

    var principal: Principal? {
        if case .authenticated(let principal) = self { return principal }
        return nil
    }

    /// Throws 401 unless a principal is known, and 403 unless `rule` lets it in.
    func authorize(_ rule: AccessRule, runnerID: String?) throws(ServerError) {
        if rule == .open { return }
        switch self {
        case .none:
            try rule.authorize(nil, runnerID: runnerID)
        case .rejected(let reason):
            throw ServerError(.authenticationFailed, status: 401, reason)
        case .authenticated(let principal):
            try rule.authorize(principal, runnerID: runnerID)
        }
    }
}

extension HTTPRequest {
    var authentication: Authentication {
        get { attributes[Authentication.Key.self] ?? .none }
        set { attributes[Authentication.Key.self] = newValue }
    }

    /// The authenticated caller (nil on open routes without credentials).
    var principal: Principal? { authentication.principal }
}
