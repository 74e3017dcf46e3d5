import AutoGitCore

/// `autogit instances …`: supervised model servers.
enum InstancesCommand {
    static let instanceName = ArgumentSpec("name", help: "The instance's name")

    static let spec = CommandSpec(
        "instances", abstract: "Run and supervise model servers (llama.cpp, vLLM, any command)",
        discussion: """
            An instance is a named, long-running model server the AutoGit server starts, health-checks, restarts \
            by its policy and stops after an idle timeout. Requests reach it through \
            /v1/instances/NAME/proxy/..., which also starts an on-demand instance.
            """,
        subcommands: [list, get, create, update, delete, start, stop, restart, health, logs, startAll, stopAll])

    /// The options that describe an instance, shared by `create` and `update`.
    static let definitionOptions: [OptionSpec] = [
        .value(
            "backend", valueName: "backend", help: "What runs the model",
            allowedValues: InstanceBackend.allCases.map(\.rawValue)),
        .value("model", short: "m", valueName: "path", help: "The model file or name the backend loads"),
        .value("command", valueName: "template", help: "For backend custom: the command line, with {port} and {model_path}"),
        .value("port", valueName: "port", help: "The port it listens on (default: one from the server's range)"),
        .value("threads", valueName: "n", help: "CPU threads for the backend"),
        .value("context-size", valueName: "tokens", help: "Context window for the backend"),
        .value("gpu-layers", valueName: "n", help: "Layers offloaded to the GPU (llama.cpp -ngl)"),
        .repeatable("arg", valueName: "arg", help: "An extra argument appended to the command line"),
        .repeatable("env", short: "e", valueName: "key=value", help: "An environment variable for the process"),
        .value("gpus", valueName: "n", help: "GPUs the instance holds while it runs"),
        .value("gpu-type", valueName: "type", help: "GPU family or model, such as a100"),
        .value(
            "restart", valueName: "policy", help: "When to restart it after it exits or fails its health check",
            allowedValues: RestartPolicy.Mode.allCases.map(\.rawValue)),
        .value("max-restarts", valueName: "n", help: "For on-failure: give up after this many restarts"),
        .value(
            "on-demand", valueName: "bool", help: "Start it when a request arrives through the proxy", allowedValues: ["true", "false"]),
        .value("idle-timeout", valueName: "duration", help: "Stop it after this long without proxy requests, such as 15m"),
        .value("health-path", valueName: "path", help: "The HTTP path probed for health (default: /health)"),
    ]

    static let list = CommandSpec(
        "list", abstract: "List instances", aliases: ["ls"],
        options: [
            .value(
                "status", valueName: "status", help: "Only instances in this status", allowedValues: InstanceStatus.allCases.map(\.rawValue)
            )
        ],
        run: runList)

    static let get = CommandSpec("get", abstract: "Show one instance", aliases: ["show"], arguments: [instanceName], run: runGet)

    static let create = CommandSpec(
        "create", abstract: "Define an instance (it starts with 'start', or on demand)", arguments: [instanceName],
        options: definitionOptions + [.flag("start", help: "Start it right away")],
        examples: [
            .init(
                "autogit instances create llama --backend llama-server -m /models/llama-3-8b.gguf --gpus 1 --restart on-failure",
                "A llama.cpp server on one GPU"),
            .init(
                "autogit instances create files --backend custom --command 'python3 -m http.server {port}' --on-demand true --idle-timeout 10m",
                "Any command, started when first used"),
        ],
        run: runCreate)

    static let update = CommandSpec(
        "update", abstract: "Change an instance (fields that need a restart only while it is stopped)", arguments: [instanceName],
        options: definitionOptions, run: runUpdate)

    static let delete = CommandSpec(
        "delete", abstract: "Delete instances (stop them first, or use --force)", aliases: ["rm"],
        arguments: [ArgumentSpec("name", help: "Names of the instances to delete", isVariadic: true)],
        options: [.flag("force", help: "Stop it first if it runs")],
        run: runDelete)

    static let start = CommandSpec("start", abstract: "Start an instance", arguments: [instanceName], run: runStart)

    static let stop = CommandSpec(
        "stop", abstract: "Stop an instance: SIGTERM, then SIGKILL after the timeout", arguments: [instanceName],
        options: [
            .flag("force", help: "SIGKILL at once"),
            .value("timeout", valueName: "duration", help: "How long to wait after SIGTERM, such as 30s"),
        ],
        run: runStop)

    static let restart = CommandSpec("restart", abstract: "Restart an instance", arguments: [instanceName], run: runRestart)

    static let health = CommandSpec(
        "health", abstract: "Show an instance's health checks", arguments: [instanceName], run: runHealth)

    static let logs = CommandSpec(
        "logs", abstract: "Show an instance's output", arguments: [instanceName],
        options: [
            .flag("follow", short: "f", help: "Keep printing new lines as they arrive"),
            .value("tail", valueName: "n", help: "Start with the last n lines"),
            .value(
                "level", valueName: "level", help: "Only lines of this level or above", allowedValues: LogLevel.allCases.map(\.rawValue)),
        ],
        run: runLogs)

    static let startAll = CommandSpec("start-all", abstract: "Start every stopped instance", run: runStartAll)

    static let stopAll = CommandSpec(
        "stop-all", abstract: "Stop every running instance",
        options: [.flag("force", help: "SIGKILL at once")], run: runStopAll)
}
