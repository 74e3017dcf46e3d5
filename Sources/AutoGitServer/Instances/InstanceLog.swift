import AutoGitCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One instance's log: its process's stdout and stderr and the supervisor's own lines, as JSON lines (one
/// ``LogEntry`` each) in size-capped files that rotate (`output.log`, `output.log.1`, … up to ``filesKept``).
///
/// Safe to use from any thread: the output threads append while handlers read and follow. Every entry gets the
/// next sequence number (`seq`), which carries on across server restarts and is the `id:` of followed events.
final class InstanceLog: Sendable {
    let directory: String
    let maxFileBytes: Int
    let filesKept: Int
    private let state: Mutex<State>

    private struct Subscriber {
        var continuation: AsyncStream<LogEntry>.Continuation
        var minimumLevel: LogLevel?
        /// Entries that arrived while the subscriber's backlog was being read; sent right after it.
        var pending: [LogEntry] = []
        var isLive = false
    }

    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        var lastSequence = 0
        var subscribers: [UUID: Subscriber] = [:]
        var isClosed = false
        let encoder = AutoGitJSON.encoder()
    }

    /// Opens (creating when missing) the log in `directory`, continuing the sequence of what is already there.
    init(directory: String, maxFileBytes: Int = 10 << 20, filesKept: Int = 5) {
        self.directory = directory
        self.maxFileBytes = max(4096, maxFileBytes)
        self.filesKept = max(1, filesKept)
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var initial = State()
        initial.lastSequence = Self.lastSequence(in: Self.paths(directory: directory, filesKept: self.filesKept))
        state = Mutex(initial)
    }

    /// `output.log` first, then the rotated files, newest to oldest.
    private static func paths(directory: String, filesKept: Int) -> [String] {
        let current = directory + "/output.log"
        return [current] + (1..<max(1, filesKept)).map { "\(current).\($0)" }
    }

    private var paths: [String] { Self.paths(directory: directory, filesKept: filesKept) }

    /// The sequence of the last entry written, 0 for an empty log.
    var lastSequence: Int { state.withLock { $0.lastSequence } }

    // MARK: Writing

    /// Appends one line. `level` is guessed from the text when not given (see ``guessLevel(_:)``).
    func append(_ message: String, stream: LogStream, level: LogLevel? = nil, at timestamp: Date = Date()) {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.lastSequence += 1
            let entry = LogEntry(
                sequence: state.lastSequence, timestamp: timestamp, level: level ?? Self.guessLevel(message), message: message,
                stream: stream)
            if var bytes = try? state.encoder.encode(entry) {
                bytes.append(0x0A)
                write(Array(bytes), state: &state)
            }
            for (id, subscriber) in state.subscribers {
                if let minimum = subscriber.minimumLevel, entry.level < minimum { continue }
                if subscriber.isLive {
                    subscriber.continuation.yield(entry)
                } else {
                    state.subscribers[id]?.pending.append(entry)
                }
            }
        }
    }

    private func write(_ bytes: [UInt8], state: inout State) {
        if state.descriptor >= 0, state.size > 0, state.size + bytes.count > maxFileBytes {
            InstanceSyscalls.close(state.descriptor)
            state.descriptor = -1
            rotate()
        }
        if state.descriptor < 0 {
            state.descriptor = open(paths[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            var info = stat()
            state.size = state.descriptor >= 0 && fstat(state.descriptor, &info) == 0 ? Int(info.st_size) : 0
            if state.descriptor >= 0, state.size > 0, state.size + bytes.count > maxFileBytes {
                InstanceSyscalls.close(state.descriptor)
                state.descriptor = -1
                rotate()
                state.descriptor = open(paths[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
                state.size = 0
            }
        }
        guard state.descriptor >= 0 else { return }
        if InstanceSyscalls.writeAll(state.descriptor, bytes) { state.size += bytes.count }
    }

    /// Shifts `output.log.k` to `.k+1` (dropping the oldest) and `output.log` to `.1`.
    private func rotate() {
        let paths = paths
        unlink(paths[paths.count - 1])
        if paths.count > 1 {
            for index in stride(from: paths.count - 2, through: 0, by: -1) {
                rename(paths[index], paths[index + 1])
            }
        }
    }

    // MARK: Reading

    /// The last `lines` entries at `minimumLevel` or above (all levels when nil), oldest first; with `after`, only
    /// entries whose sequence is greater.
    func tail(lines: Int, minimumLevel: LogLevel? = nil, after: Int? = nil) -> [LogEntry] {
        tail(lines: lines, minimumLevel: minimumLevel, after: after, upTo: Int.max)
    }

    private func tail(lines: Int, minimumLevel: LogLevel?, after: Int?, upTo ceiling: Int) -> [LogEntry] {
        guard lines > 0 else { return [] }
        let decoder = AutoGitJSON.decoder()
        var newestFirst: [LogEntry] = []
        files: for path in paths {
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
            let bytes = [UInt8](data)
            var end = bytes.count
            while end > 0 {
                var start = end - 1
                while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
                let line = bytes[start..<end].last == 0x0A ? bytes[start..<(end - 1)] : bytes[start..<end]
                end = start
                guard !line.isEmpty, let entry = try? decoder.decode(LogEntry.self, from: Data(line)) else { continue }
                let sequence = entry.sequence ?? 0
                if sequence > ceiling { continue }
                if let after, sequence <= after { break files }
                if let minimumLevel, entry.level < minimumLevel { continue }
                newestFirst.append(entry)
                if newestFirst.count >= lines { break files }
            }
        }
        return newestFirst.reversed()
    }

    /// A stream of the last `lines` entries (or those after `after`), then every new one, filtered by level. The
    /// stream ends when the log is closed; cancelling its consumer unsubscribes.
    func follow(lines: Int, minimumLevel: LogLevel? = nil, after: Int? = nil) -> AsyncStream<LogEntry> {
        let (stream, continuation) = AsyncStream.makeStream(of: LogEntry.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = UUID()
        let start: Int? = state.withLock { state in
            guard !state.isClosed else { return nil }
            state.subscribers[id] = Subscriber(continuation: continuation, minimumLevel: minimumLevel)
            return state.lastSequence
        }
        guard let start else {
            continuation.finish()
            return stream
        }
        for entry in tail(lines: lines, minimumLevel: minimumLevel, after: after, upTo: start) {
            continuation.yield(entry)
        }
        state.withLock { state in
            guard var subscriber = state.subscribers[id] else { return }
            for entry in subscriber.pending { continuation.yield(entry) }
            subscriber.pending = []
            subscriber.isLive = true
            state.subscribers[id] = subscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many followers are attached (for tests).
    var followerCount: Int { state.withLock { $0.subscribers.count } }

    // MARK: Closing

    /// Ends every follower and closes the file; later appends are dropped.
    func close() {
        let continuations = state.withLock { state in
            state.isClosed = true
            InstanceSyscalls.close(state.descriptor)
            state.descriptor = -1
            defer { state.subscribers = [:] }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Closes the log and deletes its files.
    func remove() {
        close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Levels

    /// The level a model server's line announces in its first words (`ERROR`, `[warn]`, `level=debug`, `W0612`
    /// is not recognised), `info` when it names none. stderr alone does not make a line an error: most servers
    /// log everything there.
    static func guessLevel(_ line: String) -> LogLevel {
        let head = line.prefix(80).lowercased()
        var word = ""
        for character in head + " " {
            if character.isLetter {
                word.append(character)
                continue
            }
            switch word {
            case "error", "err", "fatal", "critical", "crit", "panic", "exception", "traceback": return .error
            case "warn", "warning": return .warn
            case "info", "notice": return .info
            case "debug", "trace": return .debug
            default: word = ""
            }
        }
        return .info
    }

    private static func lastSequence(in paths: [String]) -> Int {
        let decoder = AutoGitJSON.decoder()
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
            let lines = data.split(separator: 0x0A)
            for line in lines.reversed() {
                if let entry = try? decoder.decode(LogEntry.self, from: Data(line)), let sequence = entry.sequence {
                    return sequence
                }
            }
        }
        return 0
    }
}
