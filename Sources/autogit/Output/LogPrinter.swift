import AutoGitCore
import Foundation

/// Prints a stream of log lines as they arrive: the message alone for people (stderr lines in red on a terminal),
/// or one JSON object per line with `-o json` (JSON Lines, for `jq` and scripts).
struct LogPrinter: Sendable {
    var context: CommandContext
    /// Whether to put `[step]` before each line, for jobs with several steps.
    var showsStep: Bool
    /// Only lines of this step, when set.
    var step: String? = nil

    /// Prints every line until the stream ends (or the task is cancelled); returns how many were printed.
    @discardableResult
    func print(_ stream: AsyncThrowingStream<LogEntry, any Error>) async throws -> Int {
        let output = context.output
        let encoder = AutoGitJSON.encoder()
        var count = 0
        for try await entry in stream {
            if let step, entry.step != step { continue }
            if output.format == .json {
                context.console.writeLine(String(decoding: try encoder.encode(entry), as: UTF8.self))
            } else {
                context.console.writeLine(output.logLine(entry, showsStep: showsStep))
            }
            count += 1
        }
        return count
    }
}
