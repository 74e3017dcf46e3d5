import Foundation

/// A named, supervised, long-running model server (llama.cpp, vLLM or any OpenAI-compatible program).
///
/// Field names follow LlamaCtl. The same type is the create request (`POST /v1/instances`): the server ignores
/// `status`, `pid`, `stats` and timestamps on input.
public struct Instance: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    public var status: InstanceStatus
    public var backend: InstanceBackend
    public var modelPath: String?
    /// For the `custom` backend: the command line, with `{port}` and `{model_path}` substituted.
    public var command: String?
    /// The port the model server listens on; allocated from the configured range when not given.
    public var port: Int?
    public var pid: Int32?
    public var options: InstanceOptions
    public var environment: [String: String]
    /// GPUs the instance holds while it runs, allocated like a job's so the two never share a GPU.
    public var gpu: GPURequirement?
    public var restartPolicy: RestartPolicy
    /// Started when a request arrives through the proxy, and stopped after `idleTimeout` seconds without one.
    public var onDemand: Bool
    public var idleTimeout: Int?
    /// The HTTP path probed for health.
    public var healthPath: String
    public var stats: InstanceStats?
    public var restarts: Int
    public var lastError: String?
    public var createdAt: Date?
    public var updatedAt: Date?
    public var startedAt: Date?

    public init(
        name: String, status: InstanceStatus = .stopped, backend: InstanceBackend = .llamaServer, modelPath: String? = nil,
        command: String? = nil, port: Int? = nil, pid: Int32? = nil, options: InstanceOptions = InstanceOptions(),
        environment: [String: String] = [:], gpu: GPURequirement? = nil, restartPolicy: RestartPolicy = RestartPolicy(),
        onDemand: Bool = false, idleTimeout: Int? = nil, healthPath: String = "/health", stats: InstanceStats? = nil,
        restarts: Int = 0, lastError: String? = nil, createdAt: Date? = nil, updatedAt: Date? = nil,
        startedAt: Date? = nil
    ) {
        self.name = name
        self.status = status
        self.backend = backend
        self.modelPath = modelPath
        self.command = command
        self.port = port
        self.pid = pid
        self.options = options
        self.environment = environment
        self.gpu = gpu
        self.restartPolicy = restartPolicy
        self.onDemand = onDemand
        self.idleTimeout = idleTimeout
        self.healthPath = healthPath
        self.stats = stats
        self.restarts = restarts
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
    }

    public var id: String { name }

    enum CodingKeys: String, CodingKey {
        case name, status, backend
        case modelPath = "model_path"
        case command, port, pid, options, environment, gpu
        case restartPolicy = "restart_policy"
        case onDemand = "on_demand"
        case idleTimeout = "idle_timeout"
        case healthPath = "health_path"
        case stats, restarts
        case lastError = "last_error"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(InstanceStatus.self, forKey: .status, default: .stopped)
        backend = try container.decode(InstanceBackend.self, forKey: .backend, default: .llamaServer)
        modelPath = try container.decodeIfPresent(String.self, forKey: .modelPath)
        command = try container.decodeIfPresent(String.self, forKey: .command)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        pid = try container.decodeIfPresent(Int32.self, forKey: .pid)
        options = try container.decode(InstanceOptions.self, forKey: .options, default: InstanceOptions())
        environment = try container.decode([String: String].self, forKey: .environment, default: [:])
        gpu = try container.decodeIfPresent(GPURequirement.self, forKey: .gpu)
        restartPolicy = try container.decode(RestartPolicy.self, forKey: .restartPolicy, default: RestartPolicy())
        onDemand = try container.decode(Bool.self, forKey: .onDemand, default: false)
        idleTimeout = try container.decodeIfPresent(Int.self, forKey: .idleTimeout)
        healthPath = try container.decode(String.self, forKey: .healthPath, default: "/health")
        stats = try container.decodeIfPresent(InstanceStats.self, forKey: .stats)
        restarts = try container.decode(Int.self, forKey: .restarts, default: 0)
        lastError = try container.decodeIfPresent(String.self, forKey: .lastError)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
    }
}
