import AutoGitCore

/// `autogit runners …`: the machines that take jobs.
enum RunnersCommand {
    static let runnerID = ArgumentSpec("id", help: "The runner's id")

    static let spec = CommandSpec(
        "runners", abstract: "Manage runners, the machines that take jobs",
        discussion: """
            A runner registers itself (`autogit runner` on the machine) or is provisioned by a provider plugin \
            (`autogit runners provision`). Its status says whether it takes jobs: active, idle and busy runners do.
            """,
        subcommands: [
            list, get, provision, register, update, delete, start, stop, restart, status, health, metrics, logs, config,
        ])

    static let list = CommandSpec(
        "list", abstract: "List runners", aliases: ["ls"],
        options: [
            .value(
                "status", valueName: "status", help: "Only runners in this status",
                allowedValues: RunnerStatus.allCases.map(\.rawValue)),
            .repeatable("label", short: "l", valueName: "label", help: "Only runners with this label"),
            .value("type", valueName: "type", help: "Only runners of this type", allowedValues: RunnerType.allCases.map(\.rawValue)),
            .repeatable("tag", valueName: "tag", help: "Only runners with this tag"),
            .value("limit", valueName: "n", help: "Show at most this many runners (default: all)"),
        ],
        examples: [
            .init("autogit runners list --status idle", "Runners waiting for work"),
            .init("autogit runners list -l gpu -o wide", "GPU runners with all columns"),
        ],
        run: runList)

    static let get = CommandSpec(
        "get", abstract: "Show one runner", aliases: ["show"], arguments: [runnerID], run: runGet)

    static let provision = CommandSpec(
        "provision", abstract: "Ask a provider to start new runners",
        discussion: "The server picks a provider that can supply the shape asked for unless --provider names one.",
        options: [
            .value("provider", valueName: "name", help: "The provider plugin to use (see 'autogit providers list')"),
            .value("arch", valueName: "arch", help: "CPU architecture", allowedValues: Architecture.allCases.map(\.rawValue)),
            .value("gpus", valueName: "n", help: "GPUs per runner"),
            .value("gpu-type", valueName: "type", help: "GPU family or model, such as a100 or h100"),
            .repeatable("label", short: "l", valueName: "label", help: "A label for the new runners"),
            .value("name", valueName: "name", help: "Name for the new runner (a suffix is added when count > 1)"),
            .value("count", valueName: "n", help: "How many runners to start", defaultValue: "1"),
        ],
        examples: [.init("autogit runners provision --provider slurm --gpus 2 --gpu-type a100", "Two A100s from Slurm")],
        run: runProvision)

    static let register = CommandSpec(
        "register", abstract: "Register a runner record by hand",
        discussion: "Runner agents register themselves; use this for runners managed outside AutoGit.",
        options: [
            .value("name", valueName: "name", help: "The runner's name"),
            .value(
                "type", valueName: "type", help: "How the runner runs jobs", defaultValue: RunnerType.native.rawValue,
                allowedValues: RunnerType.allCases.map(\.rawValue)),
            .value("host", valueName: "host", help: "Host name or address of the runner"),
            .value("arch", valueName: "arch", help: "CPU architecture", allowedValues: Architecture.allCases.map(\.rawValue)),
            .repeatable("label", short: "l", valueName: "label", help: "A label jobs can ask for"),
            .value("max-jobs", valueName: "n", help: "Most jobs the runner runs at once"),
        ],
        run: runRegister)

    static let update = CommandSpec(
        "update", abstract: "Change a runner's name, labels or tags", arguments: [runnerID],
        options: [
            .value("name", valueName: "name", help: "New name"),
            .repeatable("label", short: "l", valueName: "label", help: "Replace the labels with these"),
            .repeatable("tag", valueName: "tag", help: "Replace the tags with these"),
        ],
        run: runUpdate)

    static let delete = CommandSpec(
        "delete", abstract: "Deregister runners",
        discussion: "Jobs running on a deleted runner are re-queued while their retries last.", aliases: ["rm"],
        arguments: [ArgumentSpec("id", help: "Ids of the runners to delete", isVariadic: true)],
        options: [.flag("force", help: "Delete even while jobs run on it (they are re-queued)")],
        run: runDelete)

    static let start = CommandSpec(
        "start", abstract: "Start a stopped runner", arguments: [runnerID], run: runStart)

    static let stop = CommandSpec(
        "stop", abstract: "Stop a runner, draining its jobs first unless --force", arguments: [runnerID],
        options: [
            .flag("force", help: "Stop now, failing the jobs it runs"),
            .value("timeout", valueName: "duration", help: "How long to wait for running jobs to finish"),
            .value("reason", valueName: "text", help: "Why, for the event log"),
        ],
        run: runStop)

    static let restart = CommandSpec(
        "restart", abstract: "Restart a runner", arguments: [runnerID], run: runRestart)

    static let status = CommandSpec(
        "status", abstract: "Show a runner's status, load and current jobs", arguments: [runnerID],
        run: runStatus)

    static let health = CommandSpec(
        "health", abstract: "Show a runner's health checks", arguments: [runnerID], run: runHealth)

    static let metrics = CommandSpec(
        "metrics", abstract: "Show a runner's CPU, memory and GPU metrics", arguments: [runnerID],
        options: [
            .value("period", valueName: "duration", help: "How far back to look, such as 1h or 24h (default: 1h)"),
            .value("resolution", valueName: "duration", help: "One point per this long, such as 1m or 5m"),
        ],
        run: runMetrics)

    static let logs = CommandSpec(
        "logs", abstract: "Show a runner agent's log", arguments: [runnerID],
        options: [
            .flag("follow", short: "f", help: "Keep printing new lines as they arrive"),
            .value("tail", valueName: "n", help: "Start with the last n lines"),
            .value("since", valueName: "duration", help: "Only lines newer than this, such as 10m"),
        ],
        run: runLogs)

    static let config = CommandSpec(
        "config", abstract: "Read or change a runner's configuration", subcommands: [configGet, configSet])

    static let configGet = CommandSpec(
        "get", abstract: "Show a runner's configuration", arguments: [runnerID], run: runConfigGet)

    static let configSet = CommandSpec(
        "set", abstract: "Change a runner's configuration", discussion: "Options not given are left unchanged.",
        arguments: [runnerID],
        options: [
            .value("max-jobs", valueName: "n", help: "Most jobs the runner runs at once"),
            .value("job-timeout", valueName: "duration", help: "Default time limit for its jobs, such as 2h"),
            .value(
                "cleanup", valueName: "policy", help: "When to delete a job's work directory",
                allowedValues: ["always", "on_success", "never"]),
            .value("cpu-limit", valueName: "cpus", help: "CPU limit per job, such as 4"),
            .value("memory-limit", valueName: "size", help: "Memory limit per job, such as 16Gi"),
        ],
        run: runConfigSet)
}
