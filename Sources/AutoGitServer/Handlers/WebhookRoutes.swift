import AutoGitCore
import AutoGitHTTP

/// `GET/POST /v1/webhooks`, `GET/PATCH/DELETE /v1/webhooks/{id}` and `GET /v1/webhooks/{id}/deliveries`: subscriptions
/// whose deliveries are signed, kept in a durable outbox and retried with backoff.
struct WebhookRoutes {
    let context: APIContext

    func register(in routes: inout RouteTable) {
        routes.get("/v1/webhooks", .read) { request in
            let (limit, offset) = try request.pageParameters()
            return try APIResponse.json(await context.webhooks.list(limit: limit, offset: offset))
        }
        routes.post("/v1/webhooks", .write) { request in try await create(request) }
        routes.get("/v1/webhooks/{id}", .read) { request in
            try APIResponse.json(await context.webhooks.webhook(request.pathParameter("id")))
        }
        routes.patch("/v1/webhooks/{id}", .write) { request in
            let body = try request.decodeBody(WebhookUpdateRequest.self)
            return try APIResponse.json(await context.webhooks.update(request.pathParameter("id"), body))
        }
        routes.delete("/v1/webhooks/{id}", .write) { request in
            try await context.webhooks.delete(request.pathParameter("id"))
            return APIResponse.noContent()
        }
        routes.get("/v1/webhooks/{id}/deliveries", .read) { request in try await deliveries(request) }
    }

    func create(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let body = try request.decodeBody(WebhookCreateRequest.self)
        let webhook = try await context.webhooks.create(body)
        return try APIResponse.json(webhook, status: .created, location: "/v1/webhooks/\(webhook.id)")
    }

    func deliveries(_ request: HTTPRequest) async throws(ServerError) -> HTTPResponse {
        let (limit, offset) = try request.pageParameters()
        let status = request.stringParameter("status").map(WebhookDelivery.Status.init(rawValue:))
        if case .unknown(let value) = status { throw .invalidParameter("status", "'\(value)' is not one of pending, succeeded, failed") }
        return try APIResponse.json(
            await context.webhooks.deliveries(of: request.pathParameter("id"), status: status, limit: limit, offset: offset))
    }
}
