import AutoGitCore
import Foundation

extension AutoGitClient {
    /// Health, status, server information and Prometheus metrics.
    public struct System: Sendable {
        let client: AutoGitClient

        /// `GET /v1/health`: whether the server is up. Needs no credentials.
        public func health() async throws(AutoGitError) -> ServiceHealth {
            try await client.decode(APIRequest("GET", Path("v1", "health")))
        }

        /// `GET /v1/system/status`: counts of runners, jobs, GPUs and instances, and the host's load.
        public func status() async throws(AutoGitError) -> SystemStatus {
            try await client.decode(APIRequest("GET", Path("v1", "system", "status")))
        }

        /// `GET /v1/system/info`: host, version and API version of the server.
        public func info() async throws(AutoGitError) -> SystemInfo {
            try await client.decode(APIRequest("GET", Path("v1", "system", "info")))
        }

        /// `GET /metrics`: the Prometheus text exposition, as the server wrote it. Needs no credentials.
        public func prometheusMetrics() async throws(AutoGitError) -> String {
            var request = APIRequest("GET", Path("metrics"))
            request.headers["Accept"] = "text/plain"
            let (_, body) = try await client.send(request)
            return String(decoding: body, as: UTF8.self)
        }
    }
}
