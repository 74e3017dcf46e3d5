/// Bounds a server enforces on submitted jobs.
public struct JobLimits: Sendable, Hashable, Codable {
    /// The longest `timeout` a job may ask for, in seconds.
    public var maxTimeout: Int
    public var maxRetryCount: Int
    public var maxSteps: Int
    public var maxGPUCount: Int

    public init(maxTimeout: Int = 7 * 86_400, maxRetryCount: Int = 10, maxSteps: Int = 100, maxGPUCount: Int = 64) {
        self.maxTimeout = maxTimeout
        self.maxRetryCount = maxRetryCount
        self.maxSteps = maxSteps
        self.maxGPUCount = maxGPUCount
    }

    enum CodingKeys: String, CodingKey {
        case maxTimeout = "max_timeout"
        case maxRetryCount = "max_retry_count"
        case maxSteps = "max_steps"
        case maxGPUCount = "max_gpu_count"
    }

    /// Fields left out of a configuration file keep their defaults.
    public init(from decoder: any Decoder) throws {
        let defaults = JobLimits()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxTimeout = try container.decode(Int.self, forKey: .maxTimeout, default: defaults.maxTimeout)
        maxRetryCount = try container.decode(Int.self, forKey: .maxRetryCount, default: defaults.maxRetryCount)
        maxSteps = try container.decode(Int.self, forKey: .maxSteps, default: defaults.maxSteps)
        maxGPUCount = try container.decode(Int.self, forKey: .maxGPUCount, default: defaults.maxGPUCount)
    }
}

extension JobSpec {
    /// Checks the spec against `limits`, throwing a ``CoreError`` that names the first offending field.
    public func validate(limits: JobLimits = JobLimits()) throws(CoreError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalid("name", "must not be empty")
        }
        if name.count > 256 { throw .invalid("name", "must be at most 256 characters") }
        if steps.isEmpty { throw .invalid("steps", "must contain at least one step") }
        if steps.count > limits.maxSteps { throw .invalid("steps", "must contain at most \(limits.maxSteps) steps") }
        for (index, step) in steps.enumerated() {
            if step.name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .invalid("steps[\(index)].name", "must not be empty")
            }
            if step.run.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw .invalid("steps[\(index)].run", "must not be empty")
            }
        }
        for key in environment.keys.sorted() where !Self.isValidEnvironmentName(key) {
            throw .invalid("environment.\(key)", "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
        }
        if let timeout, timeout < 1 || timeout > limits.maxTimeout {
            throw .invalid("timeout", "must be between 1 and \(limits.maxTimeout) seconds")
        }
        if retryCount < 0 || retryCount > limits.maxRetryCount {
            throw .invalid("retry_count", "must be between 0 and \(limits.maxRetryCount)")
        }
        for (index, label) in requirements.labels.enumerated() where label.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalid("requirements.labels[\(index)]", "must not be empty")
        }
        if case .unknown(let value) = requirements.architecture {
            throw .invalid("requirements.architecture", "'\(value)' is not a known architecture (amd64, arm64, ppc64le, s390x, riscv64)")
        }
        if let gpu = requirements.gpu {
            if gpu.count < 0 || gpu.count > limits.maxGPUCount {
                throw .invalid("requirements.gpu.count", "must be between 0 and \(limits.maxGPUCount)")
            }
            if let memory = gpu.minMemoryGB, memory < 0 || !memory.isFinite {
                throw .invalid("requirements.gpu.min_memory_gb", "must be a non-negative number")
            }
            if let type = gpu.type, type.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .invalid("requirements.gpu.type", "must not be empty when given")
            }
        }
    }

    static func isValidEnvironmentName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 97 && first | 0x20 <= 122) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 122)
        }
    }
}
