import AutoGitCore
import Foundation

extension InstanceManager {
    /// Defines a `stopped` instance. The server ignores the read-only fields of `spec` (status, pid, stats,
    /// restarts, timestamps). Without a port one is allocated from the range now and kept for the instance's life.
    ///
    /// - Throws: 422 `VALIDATION_FAILED` naming the field; 409 `CONFLICT` when the name is taken or the port is
    ///   held by another instance or in use by another program; 503 when the range has no free port.
    public func create(_ spec: Instance) async throws(ServerError) -> Instance {
        try checkOpen()
        var instance = spec
        let now = Date()
        instance.status = .stopped
        instance.pid = nil
        instance.stats = nil
        instance.restarts = 0
        instance.lastError = nil
        instance.createdAt = now
        instance.updatedAt = now
        instance.startedAt = nil
        try Self.validate(instance)
        let name = instance.name
        guard entries[name] == nil else { throw InstanceErrors.nameTaken(name) }
        var portAllocated = false
        if let port = instance.port {
            try checkPortAvailable(port, for: name)
        } else {
            guard let port = ports.allocate(excluding: takenPorts(except: name)) else {
                throw InstanceErrors.noFreePort(configuration.portRange)
            }
            instance.port = port
            portAllocated = true
        }
        let entry = Self.makeEntry(instance, portAllocated: portAllocated, configuration: configuration)
        entries[name] = entry
        entry.log.append("created (backend \(instance.backend.rawValue), port \(instance.port ?? 0))", stream: .system)
        do {
            try await persist(name)
        } catch {
            if entries[name]?.instance.createdAt == now { entries[name] = nil }
            throw error
        }
        return try get(name)
    }

    /// Changes the fields `update` carries. Fields that need a restart (backend, model_path, command, port,
    /// options, environment, gpu) are refused with 409 `CONFLICT` while the instance runs; the others (restart
    /// policy, on_demand, idle_timeout, health_path) apply at once.
    public func update(_ name: String, _ update: InstanceUpdate) async throws(ServerError) -> Instance {
        try checkOpen()
        let entry = try entry(name)
        var instance = entry.instance
        var needRestart: [String] = []
        func change<Value: Equatable>(_ field: String, _ keyPath: WritableKeyPath<Instance, Value>, _ value: Value?, restart: Bool) {
            guard let value, instance[keyPath: keyPath] != value else { return }
            instance[keyPath: keyPath] = value
            if restart { needRestart.append(field) }
        }
        change("backend", \.backend, update.backend, restart: true)
        change("model_path", \.modelPath, update.modelPath.map(Optional.some), restart: true)
        change("command", \.command, update.command.map(Optional.some), restart: true)
        change("port", \.port, update.port.map(Optional.some), restart: true)
        change("options", \.options, update.options, restart: true)
        change("environment", \.environment, update.environment, restart: true)
        change("gpu", \.gpu, update.gpu.map(Optional.some), restart: true)
        change("restart_policy", \.restartPolicy, update.restartPolicy, restart: false)
        change("on_demand", \.onDemand, update.onDemand, restart: false)
        change("idle_timeout", \.idleTimeout, update.idleTimeout.map(Optional.some), restart: false)
        change("health_path", \.healthPath, update.healthPath, restart: false)

        let isStopped = [.stopped, .failed].contains(entry.instance.status) && entry.process == nil
        if !needRestart.isEmpty && !isStopped {
            throw InstanceErrors.busy(
                name, entry.instance.status,
                "Stop instance '\(name)' before changing \(needRestart.joined(separator: ", ")): they take effect only when it starts",
                fields: needRestart)
        }
        try Self.validate(instance)
        var portAllocated = entry.portAllocated
        if needRestart.contains("port"), let port = instance.port {
            try checkPortAvailable(port, for: name)
            portAllocated = false
        }
        instance.updatedAt = Date()
        entries[name]?.instance = instance
        entries[name]?.portAllocated = portAllocated
        entry.log.append("updated: \(needRestart.isEmpty ? "settings" : needRestart.joined(separator: ", "))", stream: .system)
        try await persist(name)
        return try get(name)
    }

    /// Deletes an instance and its logs. A running (or starting, stopping) one answers 409 `CONFLICT` unless
    /// `force`, which kills its process group first.
    public func delete(_ name: String, force: Bool = false) async throws(ServerError) {
        try checkOpen()
        let entry = try entry(name)
        if entry.process != nil || [.starting, .running, .stopping].contains(entry.instance.status) {
            guard force else {
                throw InstanceErrors.busy(
                    name, entry.instance.status,
                    "Instance '\(name)' is \(entry.instance.status.rawValue): stop it first, or delete with force=true")
            }
            await terminate(name, force: true, timeout: .zero, finalStatus: .stopped, reason: "deleted")
        }
        guard let removed = entries.removeValue(forKey: name) else { return }
        for task in removed.tasks { task.cancel() }
        if removed.gpu != nil { await gpuAllocator.release(instance: name) }
        removed.log.remove()
        try? FileManager.default.removeItem(atPath: "\(configuration.directory)/\(name)")
        try await persist(name)
    }

    // MARK: Ports

    /// Ports held by instances other than `name`.
    func takenPorts(except name: String) -> Set<Int> {
        Set(entries.compactMap { $0.key == name ? nil : $0.value.instance.port })
    }

    /// 409 unless `port` is held by no other instance and nothing listens on it.
    func checkPortAvailable(_ port: Int, for name: String) throws(ServerError) {
        if let holder = entries.first(where: { $0.key != name && $0.value.instance.port == port })?.key {
            throw InstanceErrors.portInUse(port, by: holder)
        }
        guard LoopbackSocket.isFree(port: port) else { throw InstanceErrors.portInUse(port) }
    }

    // MARK: Validation

    /// Checks a definition; the error names the first field that is wrong.
    static func validate(_ instance: Instance) throws(ServerError) {
        let name = instance.name
        guard !name.isEmpty, name.count <= 63, let first = name.unicodeScalars.first, isASCIIAlphanumeric(first),
            name.unicodeScalars.allSatisfy({ isASCIIAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" })
        else {
            throw InstanceErrors.invalid(
                "name", "must be 1-63 characters, letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        switch instance.backend {
        case .custom:
            guard let command = instance.command, !command.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw InstanceErrors.invalid("command", "is required for the custom backend (for example 'python3 -m http.server {port}')")
            }
            guard !command.contains("\0") else { throw InstanceErrors.invalid("command", "must not contain NUL characters") }
            for placeholder in InstanceCommandLine.placeholders(in: command) {
                let missing: Bool
                switch placeholder {
                case "model", "model_path": missing = instance.modelPath == nil
                case "threads": missing = instance.options.threads == nil
                case "context_size": missing = instance.options.contextSize == nil
                case "gpu_layers": missing = instance.options.gpuLayers == nil
                default: missing = false
                }
                guard missing else { continue }
                let field = placeholder.hasPrefix("model") ? "model_path" : "options.\(placeholder)"
                throw InstanceErrors.invalid(field, "is required: the command uses {\(placeholder)}")
            }
        case .llamaServer, .vllm:
            guard let model = instance.modelPath, !model.isEmpty else {
                throw InstanceErrors.invalid("model_path", "is required for the \(instance.backend.rawValue) backend")
            }
        case .unknown(let value):
            throw InstanceErrors.invalid("backend", "'\(value)' is not a backend: use llama-server, vllm or custom")
        }
        if let model = instance.modelPath, model.contains("\0") || model.contains("\n") {
            throw InstanceErrors.invalid("model_path", "must not contain NUL or line breaks")
        }
        if let port = instance.port, !(1...65_535).contains(port) {
            throw InstanceErrors.invalid("port", "must be between 1 and 65535")
        }
        if let threads = instance.options.threads, threads < 1 { throw InstanceErrors.invalid("options.threads", "must be at least 1") }
        if let context = instance.options.contextSize, context < 1 {
            throw InstanceErrors.invalid("options.context_size", "must be at least 1")
        }
        if let layers = instance.options.gpuLayers, layers < -1 {
            throw InstanceErrors.invalid("options.gpu_layers", "must be -1 (all) or more")
        }
        if instance.options.extraArgs.contains(where: { $0.contains("\0") }) {
            throw InstanceErrors.invalid("options.extra_args", "must not contain NUL characters")
        }
        for (key, value) in instance.environment {
            guard let first = key.unicodeScalars.first, first == "_" || isASCIILetter(first),
                key.unicodeScalars.allSatisfy({ $0 == "_" || isASCIIAlphanumeric($0) }), !value.contains("\0")
            else {
                throw InstanceErrors.invalid(
                    "environment.\(key)", "names must be letters, digits and '_' (not first a digit); values without NUL")
            }
        }
        if let gpu = instance.gpu, gpu.count < 0 { throw InstanceErrors.invalid("gpu.count", "must be 0 or more") }
        let policy = instance.restartPolicy
        if case .unknown(let value) = policy.mode {
            throw InstanceErrors.invalid("restart_policy.policy", "'\(value)' is not a policy: use never, on-failure or always")
        }
        if let maximum = policy.maxRestarts, maximum < 0 {
            throw InstanceErrors.invalid("restart_policy.max_restarts", "must be 0 or more")
        }
        guard policy.backoffSeconds.isFinite, policy.backoffSeconds >= 0, policy.backoffSeconds <= 86_400 else {
            throw InstanceErrors.invalid("restart_policy.backoff_seconds", "must be between 0 and 86400")
        }
        if let idle = instance.idleTimeout, idle < 1 { throw InstanceErrors.invalid("idle_timeout", "must be at least 1 second") }
        let path = instance.healthPath
        guard path.hasPrefix("/"), path.count <= 2048, path.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
            throw InstanceErrors.invalid("health_path", "must be a path starting with '/', without spaces or control characters")
        }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (65...90).contains(scalar.value) || (97...122).contains(scalar.value)
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || (48...57).contains(scalar.value)
    }
}
