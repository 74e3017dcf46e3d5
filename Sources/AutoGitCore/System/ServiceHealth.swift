import Foundation

/// The answer to `GET /v1/health`, which load balancers poll without authentication.
///
/// `server` names the implementation (`autogit`), so the SDK can tell an AutoGit server from another compatible
/// one (Runicorn answers `{"status": "ok", "version": ..., "timestamp": 1704067200.0}`).
public struct ServiceHealth: Codable, Sendable, Hashable {
    public var status: String
    public var version: String?
    public var server: String?
    public var timestamp: Date?

    public init(status: String = "ok", version: String? = nil, server: String? = nil, timestamp: Date? = nil) {
        self.status = status
        self.version = version
        self.server = server
        self.timestamp = timestamp
    }

    /// Whether the service says it is up.
    public var isHealthy: Bool { ["ok", "healthy", "pass", "up"].contains(status.lowercased()) }
}
