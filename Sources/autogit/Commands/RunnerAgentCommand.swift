/// `autogit runner`: the runner agent that runs jobs on this machine.
enum RunnerAgentCommand {
    static let spec = CommandSpec(
        "runner", abstract: "Run the runner agent on this machine",
        discussion: """
            Registers this machine (architecture, CPUs, memory, disk and GPUs) with the server, heartbeats, and \
            runs the jobs it is given, each step in its own process group with CUDA_VISIBLE_DEVICES set to the GPUs \
            allocated. On SIGTERM it drains: finishes running jobs, takes no new ones, and deregisters.
            """,
        options: [
            .value(
                "registration-token", valueName: "token", help: "Token that lets the agent register",
                environmentVariable: "AUTOGIT_REGISTRATION_TOKEN"),
            .value("name", valueName: "name", help: "The runner's name (default: the host name)"),
            .value("labels", valueName: "a,b", help: "Labels jobs can ask for, separated by commas"),
            .value("concurrency", valueName: "n", help: "Most jobs run at once", defaultValue: "1"),
            .value("work-dir", valueName: "dir", help: "Where jobs' working directories are made"),
            .value(
                "gpu-inventory", valueName: "file",
                help: "Read the GPUs from this JSON file instead of detecting them (for tests, and hosts where detection fails)"),
        ],
        examples: [
            .init("autogit runner --server http://10.0.0.5:8080 --registration-token $TOKEN --labels gpu,cuda", "Join a server")
        ],
        run: CommandSpec.notImplemented(needs: "the runner agent, issue 7"))
}
