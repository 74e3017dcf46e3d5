import AutoGitCore
import AutoGitHTTP

/// `GET/POST /v1/tokens` and `DELETE /v1/tokens/{id}` (admin only). A secret appears only in the answer that creates
/// it; a `runner` token made here is a registration token.
struct TokenRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/tokens", .admin) { request in try await list(request) }
        routes.post("/v1/tokens", .admin) { request in try await create(request) }
        routes.delete("/v1/tokens/{id}", .admin) { request in try await revoke(request) }
    }

    func list(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let (limit, offset) = try request.pageParameters()
        let role = request.stringParameter("role").map(Role.init(rawValue:))
        return try APIResponse.json(await context.tokens.list(role: role, limit: limit, offset: offset))
    }

    func create(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try request.decodeBody(TokenCreateRequest.self)
        let token = try await context.tokens.create(name: body.name, role: body.role, expiresIn: body.expiresIn)
        return try APIResponse.json(token, status: .created, location: "/v1/tokens/\(token.id)")
    }

    func revoke(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        try await context.tokens.revoke(request.pathParameter("id"))
        return APIResponse.noContent()
    }
}
