/// A CPU architecture, normalised to the names container registries use (`amd64`, `arm64`).
///
/// `x86_64` reads as `.amd64` and `aarch64` as `.arm64`, so a runner reporting `uname -m` and a job asking for
/// `amd64` match.
public enum Architecture: ExtensibleEnum, CaseIterable {
    case amd64, arm64, ppc64le, s390x, riscv64
    case unknown(String)

    public static let allCases: [Architecture] = [.amd64, .arm64, .ppc64le, .s390x, .riscv64]

    public init(rawValue: String) {
        switch rawValue.lowercased() {
        case "amd64", "x86_64", "x86-64", "x64": self = .amd64
        case "arm64", "aarch64": self = .arm64
        case "ppc64le": self = .ppc64le
        case "s390x": self = .s390x
        case "riscv64": self = .riscv64
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .amd64: "amd64"
        case .arm64: "arm64"
        case .ppc64le: "ppc64le"
        case .s390x: "s390x"
        case .riscv64: "riscv64"
        case .unknown(let value): value
        }
    }

    /// The architecture this program was compiled for.
    public static var current: Architecture {
        #if arch(x86_64)
        .amd64
        #elseif arch(arm64)
        .arm64
        #elseif arch(powerpc64le)
        .ppc64le
        #elseif arch(s390x)
        .s390x
        #else
        .unknown("unknown")
        #endif
    }
}
