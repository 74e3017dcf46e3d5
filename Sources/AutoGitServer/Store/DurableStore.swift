import AutoGitCore
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's durable state: collections of keyed values, kept in memory and persisted in an append-only
/// journal that is synced to disk before ``commit(_:)`` returns.
///
/// The promise is the one the API makes: a write that was answered 2xx survives `kill -9` and a restart.
/// Commits that arrive while a sync is in progress are written and synced together (group commit), so the
/// store sustains many more writes per second than the disk does syncs, without weakening that promise.
///
/// On disk, in the data directory: `journal-<first sequence>.agj` segments of framed, checksummed records
/// (``JournalRecord``), and a `snapshot-<sequence>.agj` holding every live key as of that sequence. When the
/// journal written since the last snapshot passes ``Options/compactionThreshold``, a new snapshot is written
/// beside it (on its own thread) and the segments it covers are removed. On start the latest snapshot is
/// loaded and the segments replayed; a torn last record (a crash in the middle of a write) is cut off with a
/// warning. Corruption anywhere else stops the start with ``ServerError`` code `STORE_CORRUPTED` rather than
/// silently dropping data.
///
/// A change is visible to readers as soon as `commit` applies it, a moment before it is durable; callers
/// answer the client only after `commit` returns. If a write or sync fails (disk full, I/O error) the store
/// refuses every later commit with `STORE_UNAVAILABLE` (503) until the server is restarted.
public final class DurableStore: Sendable {
    public struct Options: Sendable {
        /// Journal bytes since the last snapshot that trigger the next one.
        public var compactionThreshold: Int = 64 * 1024 * 1024
        /// Receives warnings (a torn record dropped at start) and errors.
        public var log: @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("autogit store: \(message)\n".utf8))
        }

        public init() {}
    }

    public let directory: String
    private let options: Options
    private let state: Mutex<State>
    private let wakeup = DispatchSemaphore(value: 0)
    private let writerStopped = DispatchSemaphore(value: 0)

    private struct State {
        var collections: [String: [String: [UInt8]]] = [:]
        var nextSequence: UInt64 = 1
        var pending: [UInt8] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var failure: ServerError?
        var isClosing = false
        var isClosed = false
        var isCompacting = false
        var statistics = StoreStatistics()
    }

    /// Opens the store in `directory` (created 0700 when missing), loading the latest snapshot and replaying the
    /// journal.
    public init(directory: String, options: Options = Options()) throws(ServerError) {
        self.directory = directory
        self.options = options
        try FileManager.default.createPrivateDirectory(atPath: directory)
        let recovered = try Self.recover(directory: directory, log: options.log)
        var initial = State()
        initial.collections = recovered.collections
        initial.nextSequence = recovered.lastSequence + 1
        initial.statistics.journalBytes = recovered.journalBytes
        state = Mutex(initial)
        let segmentPath = Self.segmentPath(in: directory, startingAt: recovered.lastSequence + 1)
        let segment = try DurableFile(appendingTo: segmentPath)
        DurableFile.syncDirectory(directory)
        let thread = Thread { [self] in self.runWriter(segment: segment) }
        thread.name = "autogit-store-writer"
        thread.start()
    }

    // MARK: Reading

    /// The value stored under `key` in `collection`.
    public func value(in collection: String, key: String) -> [UInt8]? {
        state.withLock { $0.collections[collection]?[key] }
    }

    /// Every key and value in `collection`.
    public func values(in collection: String) -> [String: [UInt8]] {
        state.withLock { $0.collections[collection] ?? [:] }
    }

    /// Decodes every value in `collection` as `T`, skipping (and logging) values that no longer decode.
    public func decodedValues<T: Decodable>(in collection: String, as type: T.Type) -> [String: T] {
        let decoder = AutoGitJSON.decoder()
        var result: [String: T] = [:]
        for (key, bytes) in values(in: collection) {
            do {
                result[key] = try decoder.decode(T.self, from: Data(bytes))
            } catch {
                options.log("skipping \(collection)/\(key): it no longer decodes as \(T.self): \(error)")
            }
        }
        return result
    }

    public var statistics: StoreStatistics {
        state.withLock { $0.statistics }
    }

    /// Whether commits are accepted: false after a failed write or sync, and once closing has begun.
    public var isWritable: Bool {
        state.withLock { $0.failure == nil && !$0.isClosing }
    }

    // MARK: Writing

    /// Applies `changes` in order and returns once they are durable on disk.
    ///
    /// The changes are applied to the in-memory view immediately (in the order of `commit` calls) and written
    /// with the next group commit. Throws `STORE_UNAVAILABLE` when the store has failed or is closed.
    public func commit(_ changes: [StoreChange]) async throws(ServerError) {
        guard !changes.isEmpty else { return }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refusal: ServerError? = state.withLock { state in
                    if let failure = state.failure { return failure }
                    if state.isClosing { return .storeUnavailable("the store is shutting down") }
                    for change in changes {
                        let record = JournalRecord(
                            sequence: state.nextSequence, collection: change.collection, key: change.key,
                            value: change.value)
                        state.nextSequence += 1
                        record.encode(into: &state.pending)
                        if let value = change.value {
                            state.collections[change.collection, default: [:]][change.key] = value
                        } else {
                            state.collections[change.collection]?[change.key] = nil
                        }
                    }
                    state.statistics.changes += changes.count
                    state.waiters.append(continuation)
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                } else {
                    wakeup.signal()
                }
            }
        } catch let error as ServerError {
            throw error
        } catch {
            throw .storeUnavailable("\(error)")
        }
    }

    /// Convenience for one change.
    public func commit(_ change: StoreChange) async throws(ServerError) {
        try await commit([change])
    }

    /// Writes what is pending, stops the writer and refuses later commits. Call once, at shutdown.
    public func close() async {
        let alreadyClosing = state.withLock { state in
            defer { state.isClosing = true }
            return state.isClosing
        }
        guard !alreadyClosing else { return }
        wakeup.signal()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [writerStopped] in
                writerStopped.wait()
                continuation.resume()
            }
        }
    }

    // MARK: The writer thread

    /// Takes everything pending, writes it in one call, syncs once, and wakes every commit that was in it.
    private func runWriter(segment initialSegment: DurableFile) {
        var segment = initialSegment
        while true {
            wakeup.wait()
            let (batch, waiters, isClosing) = state.withLock { state in
                let taken = (state.pending, state.waiters, state.isClosing)
                state.pending = []
                state.pending.reserveCapacity(taken.0.count)
                state.waiters = []
                return taken
            }
            if !batch.isEmpty {
                do {
                    try segment.write(batch)
                    let started = DispatchTime.now().uptimeNanoseconds
                    try segment.sync()
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                    state.withLock { state in
                        state.statistics.recordSync(seconds: seconds)
                        state.statistics.commits += waiters.count
                        state.statistics.journalBytes += batch.count
                    }
                    for waiter in waiters { waiter.resume() }
                } catch {
                    options.log("writes are refused from now on: \(error.message)")
                    let failed: [CheckedContinuation<Void, any Error>] = state.withLock { state in
                        state.failure = error
                        defer { state.waiters = [] }
                        return state.waiters
                    }
                    for waiter in waiters + failed { waiter.resume(throwing: error) }
                }
            } else {
                for waiter in waiters { waiter.resume() }
            }
            if isClosing {
                let remaining = state.withLock { state in
                    state.isClosed = true
                    return state.pending.isEmpty
                }
                if remaining { break }
                wakeup.signal()
                continue
            }
            if let next = startCompactionIfDue(current: segment) { segment = next }
        }
        while state.withLock({ $0.isCompacting }) { usleep(1000) }
        writerStopped.signal()
    }

    /// When enough journal has accumulated, switches to a new segment and snapshots on another thread.
    private func startCompactionIfDue(current: DurableFile) -> DurableFile? {
        let due: (collections: [String: [String: [UInt8]]], sequence: UInt64)? = state.withLock { state in
            guard !state.isCompacting, state.failure == nil,
                state.statistics.journalBytes >= options.compactionThreshold
            else { return nil }
            state.isCompacting = true
            state.statistics.journalBytes = 0
            return (state.collections, state.nextSequence - 1)
        }
        guard let due else { return nil }
        let next: DurableFile
        do {
            next = try DurableFile(appendingTo: Self.segmentPath(in: directory, startingAt: due.sequence + 1))
            DurableFile.syncDirectory(directory)
        } catch {
            options.log("cannot start a new journal segment, compaction postponed: \(error.message)")
            state.withLock { $0.isCompacting = false }
            return nil
        }
        let thread = Thread { [self] in
            self.writeSnapshot(due.collections, sequence: due.sequence, keepingSegmentFrom: due.sequence + 1)
        }
        thread.name = "autogit-store-snapshot"
        thread.start()
        return next
    }

    private func writeSnapshot(_ collections: [String: [String: [UInt8]]], sequence: UInt64, keepingSegmentFrom first: UInt64) {
        defer { state.withLock { $0.isCompacting = false } }
        var bytes: [UInt8] = []
        for (collection, values) in collections.sorted(by: { $0.key < $1.key }) {
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                JournalRecord(sequence: sequence, collection: collection, key: key, value: value).encode(into: &bytes)
            }
        }
        do {
            try DurableFile.writeAtomically(bytes, to: Self.snapshotPath(in: directory, sequence: sequence))
        } catch {
            options.log("snapshot failed, the journal is kept: \(error.message)")
            return
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files {
            if let start = Self.sequence(in: file, prefix: "journal-"), start < first {
                unlink(directory + "/" + file)
            } else if let older = Self.sequence(in: file, prefix: "snapshot-"), older < sequence {
                unlink(directory + "/" + file)
            }
        }
        DurableFile.syncDirectory(directory)
        state.withLock { $0.statistics.snapshots += 1 }
    }

    // MARK: Recovery

    private struct Recovered {
        var collections: [String: [String: [UInt8]]] = [:]
        var lastSequence: UInt64 = 0
        var journalBytes = 0
    }

    private static func recover(directory: String, log: @Sendable (String) -> Void) throws(ServerError) -> Recovered {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .storeUnavailable("cannot list \(directory): \(error)")
        }
        var recovered = Recovered()
        // Leftovers of an interrupted snapshot are incomplete by construction.
        for file in files where file.hasSuffix(".tmp") { unlink(directory + "/" + file) }

        if let snapshot = files.compactMap({ sequence(in: $0, prefix: "snapshot-") }).max() {
            let path = snapshotPath(in: directory, sequence: snapshot)
            let result = JournalRecord.readAll(from: try readFile(path))
            if let problem = result.problem {
                throw .storeCorrupted("snapshot \(path) is damaged (\(problem)); restore it from a backup or move it away")
            }
            for record in result.records {
                recovered.collections[record.collection, default: [:]][record.key] = record.value
            }
            recovered.lastSequence = snapshot
        }
        let snapshotSequence = recovered.lastSequence

        let segments = files.compactMap { sequence(in: $0, prefix: "journal-") }.sorted()
        for (index, start) in segments.enumerated() {
            let path = segmentPath(in: directory, startingAt: start)
            let result = JournalRecord.readAll(from: try readFile(path))
            for record in result.records where record.sequence > snapshotSequence {
                if let value = record.value {
                    recovered.collections[record.collection, default: [:]][record.key] = value
                } else {
                    recovered.collections[record.collection]?[record.key] = nil
                }
                recovered.lastSequence = max(recovered.lastSequence, record.sequence)
            }
            recovered.journalBytes += result.validLength
            guard let problem = result.problem else { continue }
            // Only the newest segment can end in a torn write; every older one was synced whole before the next began.
            let isLast = segments[(index + 1)...].allSatisfy { later in
                (try? readFile(segmentPath(in: directory, startingAt: later)).isEmpty) ?? false
            }
            guard isLast else {
                throw .storeCorrupted("journal \(path) is damaged (\(problem)) and later segments exist; restore from a backup")
            }
            log("dropping a torn record at the end of \(path) (\(problem)); it was never acknowledged")
            try DurableFile.truncate(path, to: result.validLength)
        }
        return recovered
    }

    private static func readFile(_ path: String) throws(ServerError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .storeUnavailable("cannot read \(path)")
        }
        return Array(data)
    }

    static func segmentPath(in directory: String, startingAt sequence: UInt64) -> String {
        directory + "/" + "journal-" + padded(sequence) + ".agj"
    }

    static func snapshotPath(in directory: String, sequence: UInt64) -> String {
        directory + "/" + "snapshot-" + padded(sequence) + ".agj"
    }

    private static func padded(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    private static func sequence(in file: String, prefix: String) -> UInt64? {
        guard file.hasPrefix(prefix), file.hasSuffix(".agj") else { return nil }
        return UInt64(file.dropFirst(prefix.count).dropLast(4))
    }
}

extension FileManager {
    /// Creates `path` and its parents with owner-only permissions when missing; the data directory holds secrets.
    func createPrivateDirectory(atPath path: String) throws(ServerError) {
        var isDirectory: ObjCBool = false
        if fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .storeUnavailable("\(path) exists and is not a directory") }
            return
        }
        do {
            try createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storeUnavailable("cannot create the data directory \(path): \(error.localizedDescription)")
        }
    }
}
