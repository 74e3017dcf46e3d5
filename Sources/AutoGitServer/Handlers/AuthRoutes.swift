import AutoGitCore
import AutoGitHTTP

/// `POST /v1/auth/login` and `POST /v1/auth/refresh`: password login for the users of the configuration, answered
/// with an HS256 JWT that expires after `auth.session_ttl_seconds`.
struct AuthRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.post("/v1/auth/login", .open) { request in try login(request) }
        routes.post("/v1/auth/refresh", .session) { request in try refresh(request) }
    }

    func login(_ request: HTTPRequest) throws(ServerError) -> HTTPResponse {
        let login = try request.decodeBody(LoginRequest.self)
        if login.username.isEmpty { throw .invalidField("username", "must not be empty") }
        let auth = context.configuration.current.auth
        let session = try context.sessions.login(login, users: auth.users, ttl: auth.sessionTTLSeconds)
        return try APIResponse.json(session)
    }

    func refresh(_ request: HTTPRequest) throws(ServerError) -> HTTPResponse {
        guard let principal = request.principal else {
            throw ServerError(.authenticationRequired, status: 401, "Send the session token to refresh")
        }
        let auth = context.configuration.current.auth
        // A user removed from the configuration keeps no way back in.
        if principal.kind == .session, !auth.users.contains(where: { $0.username == principal.id }) {
            throw ServerError(.authenticationFailed, status: 401, "User '\(principal.id)' no longer exists")
        }
        return try APIResponse.json(context.sessions.refresh(principal, ttl: auth.sessionTTLSeconds))
    }
}
