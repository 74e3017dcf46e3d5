import Foundation

/// An instance's health: an overall verdict and LlamaCtl's named checks, each a short word
/// (`{"process": "running", "port": "open", "response": "ok"}`).
public struct InstanceHealth: Codable, Sendable, Hashable {
    public var status: HealthState
    public var checks: [String: String]
    public var lastCheck: Date?

    public init(status: HealthState, checks: [String: String] = [:], lastCheck: Date? = nil) {
        self.status = status
        self.checks = checks
        self.lastCheck = lastCheck
    }

    enum CodingKeys: String, CodingKey {
        case status, checks
        case lastCheck = "last_check"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(HealthState.self, forKey: .status)
        checks = try container.decode([String: String].self, forKey: .checks, default: [:])
        lastCheck = try container.decodeIfPresent(Date.self, forKey: .lastCheck)
    }
}

/// An instance change request: `PUT /v1/instances/{name}`. Fields left `nil` are unchanged. Changing a field that
/// needs a restart (backend, model, command, port, options, environment, GPUs) is refused with 409 while the
/// instance runs.
public struct InstanceUpdate: Codable, Sendable, Hashable {
    public var backend: InstanceBackend?
    public var modelPath: String?
    public var command: String?
    public var port: Int?
    public var options: InstanceOptions?
    public var environment: [String: String]?
    public var gpu: GPURequirement?
    public var restartPolicy: RestartPolicy?
    public var onDemand: Bool?
    public var idleTimeout: Int?
    public var healthPath: String?

    public init(
        backend: InstanceBackend? = nil, modelPath: String? = nil, command: String? = nil, port: Int? = nil,
        options: InstanceOptions? = nil, environment: [String: String]? = nil, gpu: GPURequirement? = nil,
        restartPolicy: RestartPolicy? = nil, onDemand: Bool? = nil, idleTimeout: Int? = nil, healthPath: String? = nil
    ) {
        self.backend = backend
        self.modelPath = modelPath
        self.command = command
        self.port = port
        self.options = options
        self.environment = environment
        self.gpu = gpu
        self.restartPolicy = restartPolicy
        self.onDemand = onDemand
        self.idleTimeout = idleTimeout
        self.healthPath = healthPath
    }

    enum CodingKeys: String, CodingKey {
        case backend
        case modelPath = "model_path"
        case command, port, options, environment, gpu
        case restartPolicy = "restart_policy"
        case onDemand = "on_demand"
        case idleTimeout = "idle_timeout"
        case healthPath = "health_path"
    }
}

/// How to stop an instance: `POST /v1/instances/{name}/stop`. A graceful stop sends SIGTERM and waits up to
/// `timeout` seconds before SIGKILL; `force` sends SIGKILL at once.
public struct InstanceStopRequest: Codable, Sendable, Hashable {
    public var force: Bool?
    public var timeout: Int?

    public init(force: Bool? = nil, timeout: Int? = nil) {
        self.force = force
        self.timeout = timeout
    }
}
