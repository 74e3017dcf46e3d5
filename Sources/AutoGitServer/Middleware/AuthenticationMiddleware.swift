import AutoGitCore
import AutoGitHTTP

/// Finds out who is calling: a bearer token or `X-API-Key`, either an API token (`agt_…`, looked up by its hash) or
/// a login session (a JWT). Routes then decide whether that caller may proceed (`RouteTable`).
///
/// With `auth.enabled: false` a request without valid credentials acts as admin.
struct AuthenticationMiddleware: Middleware {
    let context: APIContext

    func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        var request = request
        request.authentication = await authenticate(request.headers)
        if request.authentication.principal == nil, !context.configuration.current.auth.enabled {
            request.authentication = .authenticated(Principal(kind: .anonymous, id: "anonymous", name: "anonymous", role: .admin))
        }
        return try await next(request)
    }

    private func authenticate(_ headers: HTTPHeaders) async -> Authentication {
        let secret: String
        if let authorization = headers["Authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .rejected("The Authorization header must be 'Bearer <token>'")
            }
            secret = parts[1].trimmingCharacters(in: .whitespaces)
        } else if let key = headers["X-API-Key"] {
            secret = key.trimmingCharacters(in: .whitespaces)
        } else {
            return .none
        }
        guard !secret.isEmpty, secret.utf8.count <= 4096 else { return .rejected("The token is empty or too long") }
        // A JWT has three dot-separated parts; API tokens have none.
        if secret.contains(".") {
            guard let principal = context.sessions.authenticate(secret) else {
                return .rejected("The session token is invalid or has expired; log in again")
            }
            return .authenticated(principal)
        }
        guard let principal = await context.tokens.authenticate(secret) else {
            return .rejected("The token is unknown, expired or revoked")
        }
        return .authenticated(principal)
    }
}
