import AutoGitCore

extension AutoGitClient {
    /// API tokens (admin only).
    public struct Tokens: Sendable {
        let client: AutoGitClient

        /// `GET /v1/tokens`: every API token, optionally of one role, fetched page by page. Secrets are never
        /// listed.
        public func list(role: Role? = nil, pageSize: Int = 50) -> PageSequence<APIToken> {
            PageSequence(pageSize: pageSize) { limit, offset throws(AutoGitError) in
                try await listPage(role: role, limit: limit, offset: offset)
            }
        }

        /// `GET /v1/tokens`: one page of API tokens.
        public func listPage(role: Role? = nil, limit: Int = 50, offset: Int = 0) async throws(AutoGitError) -> Page<APIToken> {
            var query = Query()
            query.add("role", role)
            query.add("limit", limit)
            query.add("offset", offset)
            return try await client.decode(APIRequest("GET", Path("v1", "tokens"), query: query))
        }

        /// `POST /v1/tokens`: creates a token. The answer's `token` holds the secret, shown this once.
        public func create(_ request: TokenCreateRequest) async throws(AutoGitError) -> APIToken {
            try await client.decode(APIRequest("POST", Path("v1", "tokens"), json: request))
        }

        /// `POST /v1/tokens`: creates a token named `name` with `role`, expiring after `expiresIn` seconds if given.
        public func create(name: String, role: Role, expiresIn: Int? = nil) async throws(AutoGitError) -> APIToken {
            try await create(TokenCreateRequest(name: name, role: role, expiresIn: expiresIn))
        }

        /// `DELETE /v1/tokens/{id}`: revokes a token.
        public func delete(_ id: String) async throws(AutoGitError) {
            try await client.perform(APIRequest("DELETE", Path("v1", "tokens", id)))
        }
    }
}
