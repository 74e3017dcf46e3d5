/// How a runner executes work: its executor kind, as the seed systems name it.
public enum RunnerType: ExtensibleEnum, CaseIterable {
    case native, local, docker, kubernetes, ssh, slurm
    case unknown(String)

    public static let allCases: [RunnerType] = [.native, .local, .docker, .kubernetes, .ssh, .slurm]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .native: "native"
        case .local: "local"
        case .docker: "docker"
        case .kubernetes: "kubernetes"
        case .ssh: "ssh"
        case .slurm: "slurm"
        case .unknown(let value): value
        }
    }
}
