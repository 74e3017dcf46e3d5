import AutoGitCore

/// The instance fields given on the command line, for `create` (over defaults) and `update` (only what was given).
struct InstanceDefinition: Sendable {
    var update = InstanceUpdate()

    init(_ arguments: ParsedArguments) throws(CLIError) {
        update.backend = arguments.value("backend").map(InstanceBackend.init(rawValue:))
        update.modelPath = arguments.value("model")
        update.command = arguments.value("command")
        if let port = try arguments.integer("port") {
            guard (1...65_535).contains(port) else { throw .invalidValue(String(port), for: "--port", expected: "a port from 1 to 65535") }
            update.port = port
        }
        let threads = try arguments.positiveInteger("threads")
        let contextSize = try arguments.positiveInteger("context-size")
        let gpuLayers = try arguments.integer("gpu-layers")
        let extraArgs = arguments.values("arg")
        if threads != nil || contextSize != nil || gpuLayers != nil || !extraArgs.isEmpty {
            update.options = InstanceOptions(threads: threads, contextSize: contextSize, gpuLayers: gpuLayers, extraArgs: extraArgs)
        }
        if arguments.hasValue(for: "env") { update.environment = try arguments.environment("env") }
        let gpus = try arguments.integer("gpus")
        if let gpus, gpus < 0 { throw .invalidValue(String(gpus), for: "--gpus", expected: "0 or more") }
        if gpus != nil || arguments.value("gpu-type") != nil {
            update.gpu = GPURequirement(count: gpus ?? 1, type: arguments.value("gpu-type"))
        }
        if let mode = arguments.value("restart") {
            update.restartPolicy = RestartPolicy(
                mode: RestartPolicy.Mode(rawValue: mode), maxRestarts: try arguments.positiveInteger("max-restarts"))
        } else if arguments.hasValue(for: "max-restarts") {
            update.restartPolicy = RestartPolicy(mode: .onFailure, maxRestarts: try arguments.positiveInteger("max-restarts"))
        }
        update.onDemand = arguments.value("on-demand").map { $0 == "true" }
        update.idleTimeout = try arguments.duration("idle-timeout")
        update.healthPath = arguments.value("health-path")
    }

    /// Writes every given field into a new instance's definition.
    func apply(to instance: inout Instance) {
        if let backend = update.backend { instance.backend = backend }
        instance.modelPath = update.modelPath ?? instance.modelPath
        instance.command = update.command ?? instance.command
        instance.port = update.port ?? instance.port
        if let options = update.options { instance.options = options }
        if let environment = update.environment { instance.environment = environment }
        instance.gpu = update.gpu ?? instance.gpu
        if let policy = update.restartPolicy { instance.restartPolicy = policy }
        if let onDemand = update.onDemand { instance.onDemand = onDemand }
        instance.idleTimeout = update.idleTimeout ?? instance.idleTimeout
        if let path = update.healthPath { instance.healthPath = path }
    }
}
