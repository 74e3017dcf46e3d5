/// What a token may do. `admin` everything; `operator` everything but tokens and server configuration; `viewer`
/// reads only; `runner` only its own runner's agent endpoints.
public enum Role: ExtensibleEnum, CaseIterable, Comparable {
    case viewer, runner, `operator`, admin
    case unknown(String)

    public static let allCases: [Role] = [.viewer, .runner, .operator, .admin]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .viewer: "viewer"
        case .runner: "runner"
        case .operator: "operator"
        case .admin: "admin"
        case .unknown(let value): value
        }
    }

    private var rank: Int {
        switch self {
        case .unknown: -1
        case .runner: 0
        case .viewer: 1
        case .operator: 2
        case .admin: 3
        }
    }

    /// Orders the user roles by power (`viewer < operator < admin`); `runner` sits apart below them.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
