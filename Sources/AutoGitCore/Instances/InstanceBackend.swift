/// The program an instance runs: llama.cpp's `llama-server`, vLLM, or a custom command template.
public enum InstanceBackend: ExtensibleEnum, CaseIterable {
    case llamaServer, vllm, custom
    case unknown(String)

    public static let allCases: [InstanceBackend] = [.llamaServer, .vllm, .custom]

    public init(rawValue: String) {
        switch rawValue {
        case "llama-server", "llama_server", "llama.cpp", "llamacpp": self = .llamaServer
        case "vllm": self = .vllm
        case "custom": self = .custom
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .llamaServer: "llama-server"
        case .vllm: "vllm"
        case .custom: "custom"
        case .unknown(let value): value
        }
    }
}
