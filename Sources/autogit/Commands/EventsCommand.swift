import AutoGitCore
import Foundation

/// `autogit events …`: the server's event stream.
enum EventsCommand {
    static let spec = CommandSpec("events", abstract: "Watch what happens on the server", subcommands: [watch])

    static let watch = CommandSpec(
        "watch", abstract: "Print events as they happen, until interrupted",
        discussion: """
            One line per event: its time, type and payload. With -o json each event is one JSON object per line. \
            After a dropped connection the stream reconnects and the server replays what was missed.
            """,
        options: [
            .repeatable(
                "type", short: "t", valueName: "type",
                help: "Only events of this type: " + EventType.allCases.map(\.rawValue).joined(separator: ", ")),
            .value("runner", valueName: "id", help: "Only events about this runner"),
            .value("job", valueName: "id", help: "Only events about this job"),
        ],
        examples: [.init("autogit events watch --type job_status_changed -o json", "Job status changes as JSON lines")],
        run: runWatch)

    static func runWatch(_ arguments: ParsedArguments, _ context: CommandContext) async throws -> Int32 {
        let types = try arguments.commaSeparated("type").map(EventType.init(rawValue:))
        let runner = arguments.value("runner")
        let job = arguments.value("job")
        let encoder = AutoGitJSON.encoder()
        let styler = context.styler
        for try await event in try context.client().events.stream(types: types) {
            if let runner, event.payload["runner_id"]?.stringValue != runner { continue }
            if let job, event.payload["job_id"]?.stringValue != job { continue }
            if context.output.format == .json {
                context.console.writeLine(String(decoding: try encoder.encode(event), as: UTF8.self))
            } else {
                let time = styler.apply(.dim, to: Self.clockTime(event.timestamp))
                context.console.writeLine("\(time)  \(styler.apply(.bold, to: event.type.rawValue))  \(Self.summary(event.payload))")
            }
        }
        return ExitCode.success.rawValue
    }

    /// `key=value` pairs of the payload's fields, sorted by key; nested values as compact JSON.
    static func summary(_ payload: JSONValue) -> String {
        guard case .object(let object) = payload else { return ConfigurationKey.display(payload) }
        return object.keys.sorted().map { "\($0)=\(ConfigurationKey.display(object[$0] ?? .null))" }.joined(separator: " ")
    }

    /// `HH:MM:SS` in the local time zone.
    static func clockTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }
}
