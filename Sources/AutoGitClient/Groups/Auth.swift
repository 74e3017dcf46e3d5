import AutoGitCore

extension AutoGitClient {
    /// Password login and session refresh.
    ///
    /// A client is immutable: after logging in, make one that uses the session,
    /// `client.with(credentials: .bearer(session.token))`.
    public struct Auth: Sendable {
        let client: AutoGitClient

        /// `POST /v1/auth/login`: exchanges a user name and password for a session token (a JWT). Needs no
        /// credentials. Not retried.
        public func login(username: String, password: String) async throws(AutoGitError) -> SessionToken {
            try await client.decode(
                APIRequest("POST", Path("v1", "auth", "login"), json: LoginRequest(username: username, password: password)))
        }

        /// `POST /v1/auth/refresh`: exchanges the client's unexpired session token for a new one.
        public func refresh() async throws(AutoGitError) -> SessionToken {
            try await client.decode(APIRequest("POST", Path("v1", "auth", "refresh")))
        }
    }
}
