import AutoGitCore

/// `autogit experiments …`: projects, runs, their metrics, and comparisons.
enum ExperimentsCommand {
    static let runID = ArgumentSpec("run", help: "The run's id")

    static let spec = CommandSpec(
        "experiments", abstract: "Track and compare the runs jobs produce",
        discussion: """
            A run belongs to a project and holds params, a summary, tags and metric series (a job step that prints \
            '::metric loss=0.52 step=10' adds points to its run). Deleted runs go to the trash until restored or \
            deleted for good with --permanent.
            """,
        aliases: ["exp"],
        subcommands: [projects, runs, metrics, compare])

    static let projects = CommandSpec("projects", abstract: "List projects and their run counts", run: runProjects)

    static let runs = CommandSpec(
        "runs", abstract: "List, show, delete and restore runs", subcommands: [runsList, runsGet, runsDelete, runsRestore])

    static let runsList = CommandSpec(
        "list", abstract: "List runs, newest first", aliases: ["ls"],
        options: [
            .value("project", short: "p", valueName: "name", help: "Only runs of this project"),
            .value("status", valueName: "status", help: "Only runs in this status", allowedValues: RunStatus.allCases.map(\.rawValue)),
            .repeatable("tag", valueName: "tag", help: "Only runs with this tag"),
            .flag("deleted", help: "Include runs in the trash"),
            .value("limit", valueName: "n", help: "Show at most this many runs", defaultValue: "50"),
        ],
        run: runRunsList)

    static let runsGet = CommandSpec(
        "get", abstract: "Show one run with its params and summary", aliases: ["show"], arguments: [runID], run: runRunsGet)

    static let runsDelete = CommandSpec(
        "delete", abstract: "Move runs to the trash, or delete them for good", aliases: ["rm"],
        arguments: [ArgumentSpec("run", help: "Ids of the runs", isVariadic: true)],
        options: [.flag("permanent", help: "Delete the run and its metrics for good")],
        run: runRunsDelete)

    static let runsRestore = CommandSpec(
        "restore", abstract: "Take runs out of the trash",
        arguments: [ArgumentSpec("run", help: "Ids of the runs", isVariadic: true)], run: runRunsRestore)

    static let metrics = CommandSpec(
        "metrics", abstract: "Show a run's metric series, as a table or a chart", arguments: [runID],
        options: [
            .value("key", short: "k", valueName: "name", help: "The metric, such as loss"),
            .value("since-step", valueName: "step", help: "Only points from this step on"),
            .value("max-points", valueName: "n", help: "Downsample to at most n points, keeping each bucket's extremes"),
            .flag("plot", help: "Draw the series as a line chart in the terminal"),
        ],
        examples: [.init("autogit experiments metrics run_42 --key loss --plot", "Look at the loss curve")],
        run: runMetrics)

    static let compare = CommandSpec(
        "compare", abstract: "Compare runs: metrics side by side, params, cost, and the best run",
        arguments: [ArgumentSpec("run", help: "Ids of the runs to compare", isVariadic: true)],
        options: [
            .value("metric", valueName: "name", help: "The metric that decides the best run, such as accuracy"),
            .value(
                "mode", valueName: "mode", help: "Whether lower or higher is better", defaultValue: "min", allowedValues: ["min", "max"]),
        ],
        examples: [.init("autogit experiments compare run_1 run_2 --metric accuracy --mode max", "Which run is most accurate")],
        run: runCompare)
}
