/// Where an experiment run is.
public enum RunStatus: ExtensibleEnum, CaseIterable {
    case running, finished, failed, crashed, cancelled
    case unknown(String)

    public static let allCases: [RunStatus] = [.running, .finished, .failed, .crashed, .cancelled]

    public init(rawValue: String) {
        switch rawValue {
        case "running": self = .running
        case "finished", "completed", "succeeded": self = .finished
        case "failed": self = .failed
        case "crashed": self = .crashed
        case "cancelled", "canceled", "interrupted": self = .cancelled
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .running: "running"
        case .finished: "finished"
        case .failed: "failed"
        case .crashed: "crashed"
        case .cancelled: "cancelled"
        case .unknown(let value): value
        }
    }
}
