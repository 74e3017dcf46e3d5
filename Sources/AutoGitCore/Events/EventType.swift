/// What an event reports. Subscribers filter on these names (`GET /v1/events?type=job_status_changed`).
public enum EventType: ExtensibleEnum, CaseIterable {
    case runnerStatusChanged, runnerProvisioned, runnerDeprovisioned
    case jobStatusChanged, jobLog
    case gpuAllocated
    case instanceStatusChanged
    case systemAlert
    case unknown(String)

    public static let allCases: [EventType] = [
        .runnerStatusChanged, .runnerProvisioned, .runnerDeprovisioned, .jobStatusChanged, .jobLog, .gpuAllocated,
        .instanceStatusChanged, .systemAlert,
    ]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .runnerStatusChanged: "runner_status_changed"
        case .runnerProvisioned: "runner_provisioned"
        case .runnerDeprovisioned: "runner_deprovisioned"
        case .jobStatusChanged: "job_status_changed"
        case .jobLog: "job_log"
        case .gpuAllocated: "gpu_allocated"
        case .instanceStatusChanged: "instance_status_changed"
        case .systemAlert: "system_alert"
        case .unknown(let value): value
        }
    }
}
