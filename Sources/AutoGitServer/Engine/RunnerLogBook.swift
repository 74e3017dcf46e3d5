import AutoGitCore
import Foundation

/// What the server saw each runner do (registration, status changes, jobs taken and finished), kept in memory and
/// bounded per runner: the source of `GET /v1/runners/{id}/logs`.
///
/// The lines are the server's view of the agent, not the agent's own output, and they do not survive a restart.
struct RunnerLogBook {
    /// Lines kept per runner; the oldest go first.
    static let capacity = 1000

    private var lines: [String: [LogEntry]] = [:]
    private var lastSequence: [String: Int] = [:]
    private var followers: [String: [UUID: Follower]] = [:]

    private struct Follower {
        var minimum: LogLevel?
        var continuation: AsyncStream<LogEntry>.Continuation
    }

    mutating func append(
        _ runnerID: String, _ message: String, level: LogLevel = .info, context: [String: JSONValue]? = nil, at timestamp: Date
    ) {
        let sequence = (lastSequence[runnerID] ?? 0) + 1
        lastSequence[runnerID] = sequence
        let entry = LogEntry(sequence: sequence, timestamp: timestamp, level: level, message: message, stream: .system, context: context)
        var kept = lines[runnerID] ?? []
        kept.append(entry)
        if kept.count > Self.capacity { kept.removeFirst(kept.count - Self.capacity) }
        lines[runnerID] = kept
        for follower in followers[runnerID]?.values.map({ $0 }) ?? [] where follower.minimum.map({ level >= $0 }) ?? true {
            follower.continuation.yield(entry)
        }
    }

    /// The kept lines of a runner at `level` or above, at or after `since`, after sequence `after`, the last
    /// `count` of them.
    func entries(of runnerID: String, count: Int?, level: LogLevel?, since: Date?, after: Int = 0) -> [LogEntry] {
        let matching = (lines[runnerID] ?? []).filter { entry in
            (entry.sequence ?? 0) > after && level.map { entry.level >= $0 } ?? true && since.map { entry.timestamp >= $0 } ?? true
        }
        guard let count else { return matching }
        return Array(matching.suffix(max(0, count)))
    }

    mutating func addFollower(_ id: UUID, of runnerID: String, minimum: LogLevel?, _ continuation: AsyncStream<LogEntry>.Continuation) {
        followers[runnerID, default: [:]][id] = Follower(minimum: minimum, continuation: continuation)
    }

    mutating func removeFollower(_ id: UUID, of runnerID: String) {
        followers[runnerID]?[id] = nil
        if followers[runnerID]?.isEmpty == true { followers[runnerID] = nil }
    }

    /// Forgets a deleted runner and ends its followers.
    mutating func remove(_ runnerID: String) {
        lines[runnerID] = nil
        lastSequence[runnerID] = nil
        for follower in followers.removeValue(forKey: runnerID)?.values.map({ $0 }) ?? [] { follower.continuation.finish() }
    }

    /// Ends every follower (shutdown).
    mutating func finishAll() {
        for follower in followers.values.flatMap(\.values) { follower.continuation.finish() }
        followers = [:]
    }
}
