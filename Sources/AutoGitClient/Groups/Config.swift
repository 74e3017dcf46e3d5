import AutoGitCore

extension AutoGitClient {
    /// The server's configuration (admin only).
    public struct Config: Sendable {
        let client: AutoGitClient

        /// `GET /v1/config`: the configuration in force (password hashes left out).
        public func get() async throws(AutoGitError) -> ServerConfiguration {
            try await client.decode(APIRequest("GET", Path("v1", "config")))
        }

        /// `PATCH /v1/config`: applies an RFC 7396 JSON merge patch (sent as `application/merge-patch+json`) and
        /// returns the configuration after it. Objects merge member by member, `null` resets a member, arrays are
        /// replaced whole. An invalid result throws `VALIDATION_FAILED` naming the field, and changes nothing.
        ///
        /// ```swift
        /// try await client.config.patch(["rate_limits": ["authenticated_per_minute": 300]])
        /// ```
        @discardableResult
        public func patch(_ patch: JSONValue) async throws(AutoGitError) -> ServerConfiguration {
            var request = try APIRequest("PATCH", Path("v1", "config"), json: patch)
            request.headers["Content-Type"] = "application/merge-patch+json"
            return try await client.decode(request)
        }

        /// `GET /v1/config/schema`: the JSON Schema (draft 2020-12) of the configuration.
        public func schema() async throws(AutoGitError) -> JSONValue {
            var request = APIRequest("GET", Path("v1", "config", "schema"))
            request.headers["Accept"] = "application/schema+json, application/json"
            return try await client.decode(request)
        }
    }
}
