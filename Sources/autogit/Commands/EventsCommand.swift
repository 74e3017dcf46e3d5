import AutoGitCore

/// `autogit events …`: the server's event stream.
enum EventsCommand {
    static let spec = CommandSpec("events", abstract: "Watch what happens on the server", subcommands: [watch])

    static let watch = CommandSpec(
        "watch", abstract: "Print events as they happen, until interrupted",
        options: [
            .repeatable(
                "type", short: "t", valueName: "type",
                help: "Only events of this type: " + EventType.allCases.map(\.rawValue).joined(separator: ", ")),
            .value("runner", valueName: "id", help: "Only events about this runner"),
            .value("job", valueName: "id", help: "Only events about this job"),
        ],
        examples: [.init("autogit events watch --type job_status_changed -o json", "Job status changes as JSON lines")],
        run: CommandSpec.notImplemented())
}
