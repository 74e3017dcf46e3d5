/// `autogit serve`: the reference server.
enum ServeCommand {
    static let spec = CommandSpec(
        "serve", abstract: "Run the AutoGit server",
        discussion: """
            Serves the v1 API on --host and --port and keeps its state in --data-dir: a journal synced to disk \
            before each write is acknowledged, with snapshots, job logs and metrics beside it.
            """,
        options: [
            .value("host", valueName: "address", help: "Address to listen on", defaultValue: "127.0.0.1"),
            .value("port", short: "p", valueName: "port", help: "Port to listen on (0 picks a free one)", defaultValue: "8080"),
            .value("data-dir", valueName: "dir", help: "Where the server keeps its state", defaultValue: "~/.autogit"),
            .value("config", short: "c", valueName: "file", help: "Server configuration file (JSON)"),
        ],
        examples: [.init("autogit serve --host 0.0.0.0 --port 8080 --data-dir /var/lib/autogit", "Serve the whole network")],
        run: CommandSpec.notImplemented(needs: "the reference server, issue 4"))
}
