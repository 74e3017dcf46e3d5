/// How healthy something is overall. A state this version does not know (including `"unknown"`) reads as
/// `.unknown(value)`.
public enum HealthState: ExtensibleEnum, CaseIterable {
    case healthy, degraded, unhealthy
    case unknown(String)

    public static let allCases: [HealthState] = [.healthy, .degraded, .unhealthy]

    public init(rawValue: String) {
        switch rawValue {
        case "healthy": self = .healthy
        case "degraded": self = .degraded
        case "unhealthy": self = .unhealthy
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .healthy: "healthy"
        case .degraded: "degraded"
        case .unhealthy: "unhealthy"
        case .unknown(let value): value
        }
    }
}
