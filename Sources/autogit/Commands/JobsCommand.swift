import AutoGitCore
import Foundation

/// `autogit jobs …`: submit work and follow it.
enum JobsCommand {
    static let jobID = ArgumentSpec("id", help: "The job's id")

    static let spec = CommandSpec(
        "jobs", abstract: "Submit jobs and follow them",
        discussion: """
            A job is a list of steps run in order with /bin/sh -c on one runner that has the labels and GPUs it \
            asks for. Its status goes queued → assigned → running → succeeded, failed, cancelled or timed_out.
            """,
        subcommands: [submit, list, get, cancel, logs])

    static let submit = CommandSpec(
        "submit", abstract: "Submit a job",
        discussion: """
            Steps come from one place: repeated --step NAME=COMMAND, a JSON job spec in -f FILE (- for standard \
            input), or the words after -- for a one-step job. A single word after -- is run as a shell command \
            as it stands; several words are quoted as a program and its arguments.

            Flags override the file: --name, --gpus, --gpu-type, --timeout, --retries and --priority replace its \
            values, --label and --env add to them. --gpu-type without --gpus asks for one GPU.

            With --experiment or --run the job is tracked as an experiment run: lines its steps print such as \
            '::metric loss=0.52 step=10' become the run's metric points, and the job's outcome becomes the run's status.

            With --wait the command shows the job's progress, streams its logs, and exits with the job's exit code: \
            0 when it succeeded, the failing step's exit code when it failed, 124 when it timed out, 1 otherwise.
            """,
        passthrough: ArgumentSpec("command", help: "A one-step job: the command and its arguments"),
        options: [
            .repeatable("step", valueName: "name=command", help: "A step: its name and the shell command it runs"),
            .value("file", short: "f", valueName: "file", help: "Read the job spec from a JSON file (- for standard input)"),
            .value("name", valueName: "name", help: "The job's name (default: its command or step names)"),
            .value("gpus", valueName: "n", help: "GPUs the job needs, all on one runner"),
            .value("gpu-type", valueName: "type", help: "GPU family or model, such as a100 or h100"),
            .repeatable("label", short: "l", valueName: "label", help: "A label the runner must have (commas separate several)"),
            .repeatable("env", short: "e", valueName: "key=value", help: "An environment variable for every step"),
            .value("timeout", valueName: "duration", help: "Time limit for the whole job, such as 90s, 30m or 2h"),
            .value("retries", valueName: "n", help: "How many times to run the job again after a failure"),
            .value("priority", valueName: "n", help: "Higher runs first; negative values run last"),
            .value("experiment", valueName: "project[/name]", help: "Track the job as a new run of this experiment project"),
            .value("run", valueName: "id", help: "Track the job in this existing experiment run"),
            .repeatable("param", valueName: "key=value", help: "A parameter recorded on the job's run (JSON values are parsed)"),
            .flag("wait", short: "w", help: "Wait for the job, stream its logs, and exit with its exit code"),
        ],
        examples: [
            .init("autogit jobs submit --gpus 1 --gpu-type a100 -- python train.py --epochs 3", "One step on one A100"),
            .init("autogit jobs submit --step build='make' --step test='make test' -l linux", "Two steps on a linux runner"),
            .init("autogit jobs submit -f job.json --priority 10 --wait", "A job from a file, waiting for its result"),
            .init(
                "autogit jobs submit --experiment resnet/lr-3e-4 --param lr=3e-4 -- python train.py",
                "Track a training job as a run with its parameters"),
        ],
        run: runSubmit)

    static let list = CommandSpec(
        "list", abstract: "List jobs, newest first", aliases: ["ls"],
        options: [
            .repeatable(
                "status", valueName: "status", help: "Only jobs in this status (repeat for several)",
                allowedValues: JobStatus.allCases.map(\.rawValue)),
            .value("runner", valueName: "id", help: "Only jobs on this runner"),
            .repeatable("label", short: "l", valueName: "label", help: "Only jobs requiring this runner label"),
            .value("limit", valueName: "n", help: "Show at most this many jobs", defaultValue: "50"),
        ],
        examples: [.init("autogit jobs list --status running", "Jobs running now")],
        run: runList)

    static let get = CommandSpec(
        "get", abstract: "Show one job and its steps", aliases: ["show"], arguments: [jobID], run: runGet)

    static let cancel = CommandSpec(
        "cancel", abstract: "Cancel jobs",
        discussion: "A running job is stopped by its runner within one poll; its status becomes cancelled.",
        arguments: [ArgumentSpec("id", help: "Ids of the jobs to cancel", isVariadic: true)],
        run: runCancel)

    static let logs = CommandSpec(
        "logs", abstract: "Show a job's output", arguments: [jobID],
        options: [
            .flag("follow", short: "f", help: "Keep printing new lines until the job ends"),
            .value("step", valueName: "name", help: "Only this step's lines"),
            .value("tail", valueName: "n", help: "Start with the last n lines (default: the whole log, every attempt)"),
        ],
        examples: [.init("autogit jobs logs job_123 -f", "Follow a running job")],
        run: runLogs)
}
