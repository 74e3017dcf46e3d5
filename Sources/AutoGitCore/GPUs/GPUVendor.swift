/// Who made a GPU, which decides the device variable a job sees (`CUDA_VISIBLE_DEVICES` or `HIP_VISIBLE_DEVICES`).
public enum GPUVendor: ExtensibleEnum, CaseIterable {
    case nvidia, amd, intel
    case unknown(String)

    public static let allCases: [GPUVendor] = [.nvidia, .amd, .intel]

    public init(rawValue: String) {
        switch rawValue.lowercased() {
        case "nvidia": self = .nvidia
        case "amd", "ati": self = .amd
        case "intel": self = .intel
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .nvidia: "nvidia"
        case .amd: "amd"
        case .intel: "intel"
        case .unknown(let value): value
        }
    }
}
