/// A model server's tuning, passed to the backend as its own flags.
public struct InstanceOptions: Codable, Sendable, Hashable {
    public var threads: Int?
    public var contextSize: Int?
    /// Layers offloaded to the GPU (llama.cpp `-ngl`).
    public var gpuLayers: Int?
    /// Further arguments appended to the command line as given.
    public var extraArgs: [String]

    public init(threads: Int? = nil, contextSize: Int? = nil, gpuLayers: Int? = nil, extraArgs: [String] = []) {
        self.threads = threads
        self.contextSize = contextSize
        self.gpuLayers = gpuLayers
        self.extraArgs = extraArgs
    }

    enum CodingKeys: String, CodingKey {
        case threads
        case contextSize = "context_size"
        case gpuLayers = "gpu_layers"
        case extraArgs = "extra_args"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
        contextSize = try container.decodeIfPresent(Int.self, forKey: .contextSize)
        gpuLayers = try container.decodeIfPresent(Int.self, forKey: .gpuLayers)
        extraArgs = try container.decode([String].self, forKey: .extraArgs, default: [])
    }
}

/// A running instance's resource use. `memoryUsage` is resident memory in bytes, `cpuUsage` a percentage of one
/// core, `uptime` seconds.
public struct InstanceStats: Codable, Sendable, Hashable {
    public var memoryUsage: Int?
    public var cpuUsage: Double?
    public var uptime: Double?

    public init(memoryUsage: Int? = nil, cpuUsage: Double? = nil, uptime: Double? = nil) {
        self.memoryUsage = memoryUsage
        self.cpuUsage = cpuUsage
        self.uptime = uptime
    }

    enum CodingKeys: String, CodingKey {
        case memoryUsage = "memory_usage"
        case cpuUsage = "cpu_usage"
        case uptime
    }
}

/// When a supervised process is started again after it exits.
public struct RestartPolicy: Codable, Sendable, Hashable {
    /// The rule.
    public enum Mode: ExtensibleEnum, CaseIterable {
        case never, onFailure, always
        case unknown(String)

        public static let allCases: [Mode] = [.never, .onFailure, .always]

        public init(rawValue: String) {
            switch rawValue {
            case "never", "no": self = .never
            case "on-failure", "on_failure": self = .onFailure
            case "always": self = .always
            default: self = .unknown(rawValue)
            }
        }

        public var rawValue: String {
            switch self {
            case .never: "never"
            case .onFailure: "on-failure"
            case .always: "always"
            case .unknown(let value): value
            }
        }
    }

    public var mode: Mode
    /// Restarts allowed before the instance is left `failed`; `nil` means no limit.
    public var maxRestarts: Int?
    /// Seconds before the first restart; doubles with each consecutive one.
    public var backoffSeconds: Double

    public init(mode: Mode = .never, maxRestarts: Int? = nil, backoffSeconds: Double = 1) {
        self.mode = mode
        self.maxRestarts = maxRestarts
        self.backoffSeconds = backoffSeconds
    }

    enum CodingKeys: String, CodingKey {
        case mode = "policy"
        case maxRestarts = "max_restarts"
        case backoffSeconds = "backoff_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decode(Mode.self, forKey: .mode, default: .never)
        maxRestarts = try container.decodeIfPresent(Int.self, forKey: .maxRestarts)
        backoffSeconds = try container.decode(Double.self, forKey: .backoffSeconds, default: 1)
    }
}
