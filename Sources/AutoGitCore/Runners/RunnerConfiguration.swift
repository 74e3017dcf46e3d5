import Foundation

/// What happens to a job's work directory when the job ends.
public enum CleanupPolicy: ExtensibleEnum, CaseIterable {
    case always, onSuccess, never
    case unknown(String)

    public static let allCases: [CleanupPolicy] = [.always, .onSuccess, .never]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .always: "always"
        case .onSuccess: "on_success"
        case .never: "never"
        case .unknown(let value): value
        }
    }
}

/// Limits applied to each job on a runner, in Kubernetes quantity notation (`2000m`, `4Gi`).
public struct ResourceLimits: Codable, Sendable, Hashable {
    public var cpuLimit: String?
    public var memoryLimit: String?
    public var diskLimit: String?

    public init(cpuLimit: String? = nil, memoryLimit: String? = nil, diskLimit: String? = nil) {
        self.cpuLimit = cpuLimit
        self.memoryLimit = memoryLimit
        self.diskLimit = diskLimit
    }

    enum CodingKeys: String, CodingKey {
        case cpuLimit = "cpu_limit"
        case memoryLimit = "memory_limit"
        case diskLimit = "disk_limit"
    }
}

/// A runner's settings. Every field is optional so the same type serves as a partial update (`PUT .../config`
/// changes only the fields it carries).
public struct RunnerConfiguration: Codable, Sendable, Hashable {
    public var maxConcurrentJobs: Int?
    /// Default job timeout in seconds for jobs that do not set one.
    public var jobTimeout: Int?
    public var cleanupPolicy: CleanupPolicy?
    public var resourceLimits: ResourceLimits?
    /// Executor-specific settings (for example a Docker executor's `privileged` or `volumes`), kept as given.
    public var dockerConfig: JSONValue?

    public init(
        maxConcurrentJobs: Int? = nil, jobTimeout: Int? = nil, cleanupPolicy: CleanupPolicy? = nil,
        resourceLimits: ResourceLimits? = nil, dockerConfig: JSONValue? = nil
    ) {
        self.maxConcurrentJobs = maxConcurrentJobs
        self.jobTimeout = jobTimeout
        self.cleanupPolicy = cleanupPolicy
        self.resourceLimits = resourceLimits
        self.dockerConfig = dockerConfig
    }

    enum CodingKeys: String, CodingKey {
        case maxConcurrentJobs = "max_concurrent_jobs"
        case jobTimeout = "job_timeout"
        case cleanupPolicy = "cleanup_policy"
        case resourceLimits = "resource_limits"
        case dockerConfig = "docker_config"
    }

    /// This configuration with every field that `update` sets replaced.
    public func applying(_ update: RunnerConfiguration) -> RunnerConfiguration {
        var result = self
        if let value = update.maxConcurrentJobs { result.maxConcurrentJobs = value }
        if let value = update.jobTimeout { result.jobTimeout = value }
        if let value = update.cleanupPolicy { result.cleanupPolicy = value }
        if let value = update.resourceLimits {
            var limits = result.resourceLimits ?? ResourceLimits()
            if let cpu = value.cpuLimit { limits.cpuLimit = cpu }
            if let memory = value.memoryLimit { limits.memoryLimit = memory }
            if let disk = value.diskLimit { limits.diskLimit = disk }
            result.resourceLimits = limits
        }
        if let value = update.dockerConfig { result.dockerConfig = value }
        return result
    }
}

/// A runner's configuration with whom it belongs to and when it last changed: `GET /v1/runners/{id}/config`.
public struct RunnerConfigurationDocument: Codable, Sendable, Hashable {
    public var runnerID: String
    public var configuration: RunnerConfiguration
    public var lastUpdated: Date?

    public init(runnerID: String, configuration: RunnerConfiguration, lastUpdated: Date? = nil) {
        self.runnerID = runnerID
        self.configuration = configuration
        self.lastUpdated = lastUpdated
    }

    enum CodingKeys: String, CodingKey {
        case runnerID = "runner_id"
        case configuration
        case lastUpdated = "last_updated"
    }
}
