import AutoGitCore
import Foundation

/// What the server knows of one instance a provider created for it: the plugin's record, the runner record that
/// stands for it, the registration token its agent was given, and whether it is being removed. Kept in the store
/// (collection `provisioned-instances`), so a restarted server knows which instances are its own.
struct ProvisionedInstance: Codable, Sendable, Hashable {
    /// A removal under way: the runner is drained first, then the instance is deprovisioned.
    struct Removal: Codable, Sendable, Hashable {
        /// The autoscaler's reason word (`idle_timeout`, `registration_timeout` …), `request`, or `vanished`.
        var reason: String
        var detail: String
        /// Re-queue the runner's jobs instead of waiting for them (the instance failed, or `force=true`).
        var force: Bool
        var requestedAt: Date

        enum CodingKeys: String, CodingKey {
            case reason, detail, force
            case requestedAt = "requested_at"
        }
    }

    static let collection = "provisioned-instances"

    var provider: String
    var instance: FleetingInstance
    /// The runner record made when the instance was created; its agent takes it over when it registers.
    var runnerID: String?
    /// The registration token the agent was started with, revoked once no booting agent needs it.
    var tokenID: String?
    /// `demand`, `min_idle` or `request`.
    var provisionReason: String
    var registeredAt: Date?
    var removal: Removal?

    var key: String { Self.key(provider: provider, id: instance.id) }
    var isBooting: Bool { registeredAt == nil && instance.state.isAlive }

    static func key(provider: String, id: String) -> String { "\(provider)/\(id)" }

    enum CodingKeys: String, CodingKey {
        case provider, instance
        case runnerID = "runner_id"
        case tokenID = "token_id"
        case provisionReason = "provision_reason"
        case registeredAt = "registered_at"
        case removal
    }
}
