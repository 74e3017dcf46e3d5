import AutoGitCore
import Foundation

/// One configured provider while the server runs: its configuration, the started plugin and what it said about
/// itself, its registration token, and how its last provision went.
struct ProviderRuntime: Sendable {
    enum Status: Sendable, Equatable {
        /// Not started yet, or started again after its settings changed.
        case initializing
        case ready
        /// `initialize` failed; it is tried again at each reconciliation.
        case failed(String)
        /// Taken out of the configuration: it provisions nothing more and its instances go as they become idle.
        case removing

        var word: String {
            switch self {
            case .initializing: "initializing"
            case .ready: "ready"
            case .failed: "error"
            case .removing: "removing"
            }
        }
    }

    var entry: ServerConfiguration.ProviderEntry
    var policy: AutoscalingPolicy
    var status: Status = .initializing
    var plugin: (any FleetingPlugin)?
    var info: ProviderInfo?
    /// The registration token its agents are started with: the id, and the secret (held only in memory).
    var tokenID: String?
    var tokenSecret: String?
    /// Resting after a failed provision until then.
    var unavailableUntil: Date?
    /// What the last failed provision said, for the reasons shown on waiting jobs.
    var lastFailure: String?

    var name: String { entry.name }

    /// The policy the autoscaler applies: the configured one, or for a provider being removed one that keeps
    /// nothing and allows nothing.
    var effectivePolicy: AutoscalingPolicy {
        guard status == .removing else { return policy }
        var policy = policy
        policy.minIdle = 0
        policy.maxInstances = 0
        policy.scaleFactor = 0
        policy.windows = []
        return policy
    }

    /// The most instances it may have: its policy's limit and the plugin's own, the lower.
    func limit(at date: Date) -> Int {
        min(effectivePolicy.effective(at: date).maxInstances, info?.maxInstances ?? Int.max)
    }
}
