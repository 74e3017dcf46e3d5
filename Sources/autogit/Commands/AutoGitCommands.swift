/// The `autogit` command tree: every command, option and argument, declared once.
///
/// Help, usage errors, completion scripts and `Docs/cli.md` are all generated from this tree.
enum AutoGitCommands {
    static let root = CommandSpec(
        "autogit", abstract: "Run and watch jobs on GPU-aware compute runners",
        discussion: """
            `autogit` talks to an AutoGit server (`--server`, default http://127.0.0.1:8080) with the token in \
            `--token` or AUTOGIT_TOKEN. It also starts the server (`autogit serve`) and the runner agent \
            (`autogit runner`).

            An `http://` server is spoken to over plain sockets, which start faster; an `https://` server over \
            URLSession, which brings TLS. AUTOGIT_TRANSPORT=urlsession uses URLSession for every server.

            Output is a table sized to the terminal by default; `-o json` prints the API's JSON (stable for \
            scripts), `-o wide` adds columns, and `-q` prints only ids.
            """,
        options: GlobalOptions.specs,
        subcommands: [
            RunnersCommand.spec, GPUsCommand.spec, JobsCommand.spec, InstancesCommand.spec, ExperimentsCommand.spec, ArtifactsCommand.spec,
            ConfigCommand.spec, TokensCommand.spec,
            LoginCommand.spec, LogoutCommand.spec, ContextCommand.spec, SystemCommand.spec, EventsCommand.spec,
            WebhooksCommand.spec, ProvidersCommand.spec, ServeCommand.spec, RunnerAgentCommand.spec,
            QuickstartCommand.spec, CompletionCommand.spec, HelpCommand.spec, VersionCommand.spec,
            DocsMarkdownCommand.spec,
        ],
        examples: [
            .init("autogit runners list", "List the runners and what they are doing"),
            .init("autogit jobs submit --gpus 1 --gpu-type a100 --wait -- python train.py", "Run a script on one A100 and wait for it"),
            .init("autogit jobs list -o json", "Jobs as JSON, for scripts"),
        ])
}
