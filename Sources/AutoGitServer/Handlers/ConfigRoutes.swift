import AutoGitCore
import AutoGitHTTP

/// `GET /v1/config`, `PATCH /v1/config` (an RFC 7396 merge patch, validated against the published schema, stored)
/// and `GET /v1/config/schema`.
struct ConfigRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/config", .admin) { _ in try APIResponse.json(context.configuration.current.redacted) }
        routes.patch("/v1/config", .admin) { request in try await patch(request) }
        routes.get("/v1/config/schema", .read) { _ in
            var response = try APIResponse.json(ServerConfiguration.jsonSchema)
            response.headers["Content-Type"] = "application/schema+json"
            return response
        }
    }

    func patch(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let patch = try request.decodeBody(JSONValue.self)
        guard patch.objectValue != nil else {
            throw ServerError(
                .validationFailed, status: 422, "body: a configuration patch must be a JSON object", details: ["field": "body"])
        }
        let configuration = try await context.configuration.apply(patch)
        await context.configurationChanged(to: configuration)
        return try APIResponse.json(configuration.redacted)
    }
}
