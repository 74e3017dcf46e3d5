import AutoGitCore
import Foundation

extension Fleet {
    /// The kept lines of a runner's log (the last `lines`, at `level` or above, since `since`), oldest first.
    public func runnerLog(_ id: String, lines: Int?, level: LogLevel?, since: Date?) throws(ServerError) -> [LogEntry] {
        _ = try runner(id)
        return runnerLogs.entries(of: id, count: lines, level: level, since: since)
    }

    /// The kept lines after sequence `after` (or the last `lines`), then each new line, until the runner is deleted,
    /// the server stops, or the consumer goes away.
    public func followRunnerLog(
        _ id: String, lines: Int?, level: LogLevel?, since: Date?, after: Int?
    ) throws(ServerError) -> AsyncStream<LogEntry> {
        _ = try runner(id)
        let (stream, continuation) = AsyncStream.makeStream(of: LogEntry.self, bufferingPolicy: .bufferingNewest(10_000))
        let backlog =
            after.map { runnerLogs.entries(of: id, count: nil, level: level, since: since, after: $0) }
            ?? runnerLogs.entries(of: id, count: lines, level: level, since: since)
        for entry in backlog { continuation.yield(entry) }
        let follower = UUID()
        runnerLogs.addFollower(follower, of: id, minimum: level, continuation)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeRunnerLogFollower(follower, of: id) }
        }
        return stream
    }

    func removeRunnerLogFollower(_ follower: UUID, of id: String) {
        runnerLogs.removeFollower(follower, of: id)
    }

    /// Ends every runner-log follower (shutdown).
    public func finishRunnerLogFollowers() {
        runnerLogs.finishAll()
    }

    func logRunner(_ id: String, _ message: String, level: LogLevel = .info, context: [String: JSONValue]? = nil) {
        runnerLogs.append(id, message, level: level, context: context, at: now())
    }
}
