/// Where a model-serving instance is: `stopped → starting → running → stopping → stopped`, or `failed`.
///
/// An instance is `running` only once its health probe passes.
public enum InstanceStatus: ExtensibleEnum, CaseIterable {
    case stopped, starting, running, stopping, failed
    case unknown(String)

    public static let allCases: [InstanceStatus] = [.stopped, .starting, .running, .stopping, .failed]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .stopped: "stopped"
        case .starting: "starting"
        case .running: "running"
        case .stopping: "stopping"
        case .failed: "failed"
        case .unknown(let value): value
        }
    }
}
