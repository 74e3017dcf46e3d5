import AutoGitCore

extension AutoGitClient {
    /// Webhook subscriptions and their delivery history. To receive deliveries, see ``WebhookVerifier``.
    public struct Webhooks: Sendable {
        let client: AutoGitClient

        /// `GET /v1/webhooks`: every webhook, fetched page by page (secrets are not listed).
        public func list(pageSize: Int = 50) -> PageSequence<Webhook> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await listPage(limit: limit, offset: offset)
            }
        }

        /// `GET /v1/webhooks`: one page of webhooks.
        public func listPage(limit: Int = 50, offset: Int = 0) async throws(AutoGitError) -> Page<Webhook> {
            var query = Query()
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "webhooks"), query: query))
        }

        /// `POST /v1/webhooks`: subscribes `request.url` to events (all when `events` is empty). The answer carries
        /// the signing `secret`, this once.
        public func create(_ request: WebhookCreateRequest) async throws(AutoGitError) -> Webhook {
            try await client.decode(APIRequest("POST", Path("v1", "webhooks"), json: request))
        }

        /// `GET /v1/webhooks/{id}`.
        public func get(_ id: String) async throws(AutoGitError) -> Webhook {
            try await client.decode(APIRequest("GET", Path("v1", "webhooks", id)))
        }

        /// `PATCH /v1/webhooks/{id}`: changes the fields `request` sets. The answer carries a `secret` only when
        /// `rotateSecret` made a new one.
        public func update(_ id: String, _ request: WebhookUpdateRequest) async throws(AutoGitError) -> Webhook {
            try await client.decode(APIRequest("PATCH", Path("v1", "webhooks", id), json: request))
        }

        /// `DELETE /v1/webhooks/{id}`: unsubscribes; pending deliveries are dropped.
        public func delete(_ id: String) async throws(AutoGitError) {
            try await client.perform(APIRequest("DELETE", Path("v1", "webhooks", id)))
        }

        /// `GET /v1/webhooks/{id}/deliveries`: delivery attempts, newest first, fetched page by page.
        public func deliveries(of id: String, status: WebhookDelivery.Status? = nil, pageSize: Int = 50) -> PageSequence<WebhookDelivery> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await deliveriesPage(of: id, status: status, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/webhooks/{id}/deliveries`: one page of deliveries.
        public func deliveriesPage(
            of id: String, status: WebhookDelivery.Status? = nil, limit: Int = 50, offset: Int = 0
        ) async throws(AutoGitError) -> Page<WebhookDelivery> {
            var query = Query()
            query.add("status", status)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "webhooks", id, "deliveries"), query: query))
        }
    }
}
