/// Where a runner is in its lifecycle.
///
/// `active` runners take jobs; `draining` runners finish what they run and take nothing new; `offline` runners
/// missed their heartbeats. Transitions are validated by the server (an invalid one answers 409).
public enum RunnerStatus: ExtensibleEnum, CaseIterable {
    case provisioning, starting, active, idle, busy, draining, stopping, stopped, offline, error
    case unknown(String)

    public static let allCases: [RunnerStatus] = [
        .provisioning, .starting, .active, .idle, .busy, .draining, .stopping, .stopped, .offline, .error,
    ]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .provisioning: "provisioning"
        case .starting: "starting"
        case .active: "active"
        case .idle: "idle"
        case .busy: "busy"
        case .draining: "draining"
        case .stopping: "stopping"
        case .stopped: "stopped"
        case .offline: "offline"
        case .error: "error"
        case .unknown(let value): value
        }
    }

    /// Whether a runner in this state may be handed new jobs.
    public var acceptsJobs: Bool {
        switch self {
        case .active, .idle, .busy: true
        default: false
        }
    }
}
