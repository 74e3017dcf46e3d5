import AutoGitClient
import AutoGitCore
import Foundation

/// Streams one job's output lines to the server in ordered batches, so that nothing is lost or duplicated.
///
/// ``append(_:stream:step:level:)`` numbers each line (`seq`, consecutive, from ``firstSequence``) as it arrives,
/// from any thread. One upload runs at a time: while it is in flight new lines gather into the next batch, so an
/// idle uploader sends a line at once and a busy one sends big batches. A failed upload is retried with the same
/// lines after a growing pause (the server keeps a line only if its `seq` is new, so a retry after a lost answer
/// duplicates nothing); a `409 CONFLICT` naming the server's `last_sequence` resumes right after it. Lines are
/// dropped only when the server acknowledged them, or when it refuses the job outright (401, 403, 404: the job is no
/// longer this runner's), or when ``finish(within:)`` runs out of time.
///
/// When ``Configuration-swift.struct/maxBufferedLines`` lines wait unacknowledged, `append` blocks the reading thread
/// until the server catches up: the child then blocks on its full pipe instead of the agent growing without bound.
final class LogUploader: @unchecked Sendable {
    /// Batching and retry settings.
    struct Configuration: Sendable {
        var maxBatchLines = 1000
        var maxBatchBytes = 256 * 1024
        var maxBufferedLines = 100_000
        var initialBackoff: Duration = .milliseconds(100)
        var maxBackoff: Duration = .seconds(5)
    }

    /// What an upload of `entries` answers; throws on failure (an `AutoGitError` for server answers).
    typealias Send = @Sendable (_ entries: [LogEntry]) async throws -> LogBatchResult

    /// How the upload went, once finished.
    struct Summary: Sendable, Hashable {
        /// The highest `seq` the server acknowledged.
        var lastAcknowledged: Int
        /// Lines appended in all.
        var appended: Int
        /// Lines that never reached the server (the server refused the job, or time ran out).
        var lost: Int
    }

    let jobID: String
    let firstSequence: Int
    private let configuration: Configuration
    private let send: Send

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [LogEntry] = []
    private var nextSequence: Int
    private var lastAcknowledged: Int
    private var lost = 0
    private var isAbandoned = false

    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private var loop: Task<Void, Never>?

    init(jobID: String, firstSequence: Int = 1, configuration: Configuration = Configuration(), send: @escaping Send) {
        self.jobID = jobID
        self.firstSequence = firstSequence
        self.configuration = configuration
        self.send = send
        nextSequence = firstSequence
        lastAcknowledged = firstSequence - 1
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts the uploading task. Call once, before or after the first lines.
    func start() {
        let task = Task { await self.uploadLoop() }
        condition.withLock { loop = task }
    }

    /// Numbers `message` and queues it for upload. Thread-safe; blocks while the buffer is full unless
    /// `waitsForRoom` is false (for the agent's own lines, written from tasks that must not block a thread the
    /// uploader may need).
    func append(_ message: String, stream: LogStream, step: String?, level: LogLevel = .info, waitsForRoom: Bool = true) {
        condition.lock()
        while waitsForRoom && pending.count >= configuration.maxBufferedLines && !isAbandoned {
            condition.wait()
        }
        if isAbandoned {
            lost += 1
            nextSequence += 1
            condition.unlock()
            return
        }
        pending.append(
            LogEntry(
                sequence: nextSequence, timestamp: Date(), level: level, message: message, stream: stream, step: step, jobID: jobID))
        nextSequence += 1
        condition.unlock()
        ring.yield()
    }

    /// Uploads what is left and stops, waiting at most `timeout`; lines still unsent then are counted as lost.
    func finish(within timeout: Duration) async -> Summary {
        ring.yield()
        ring.finish()
        let task = condition.withLock { loop }
        if let task {
            let deadline = ContinuousClock.now + timeout
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await task.value
                    return true
                }
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return false
                }
                if await group.next() == false { task.cancel() }
                group.cancelAll()
            }
            await task.value
        }
        return condition.withLock {
            if !pending.isEmpty {
                lost += pending.count
                pending.removeAll()
            }
            isAbandoned = true
            condition.broadcast()
            return Summary(lastAcknowledged: lastAcknowledged, appended: nextSequence - firstSequence, lost: lost)
        }
    }

    // MARK: - Uploading

    private func uploadLoop() async {
        var backoff = configuration.initialBackoff
        for await _ in doorbell {
            while !Task.isCancelled {
                let batch = nextBatch()
                guard let last = batch.last?.sequence else { break }
                do {
                    let result = try await send(batch)
                    acknowledge(through: min(result.lastSequence, last))
                    backoff = configuration.initialBackoff
                    if result.lastSequence < last { try await pause(&backoff) }
                } catch let error as AutoGitError where error.code == .conflict {
                    guard let serverLast = error.details?["last_sequence"]?.intValue else {
                        try? await pause(&backoff)
                        continue
                    }
                    resume(after: serverLast)
                } catch let error as AutoGitError where [401, 403, 404].contains(error.status ?? 0) {
                    abandon()
                    return
                } catch {
                    do { try await pause(&backoff) } catch { return }
                }
            }
            if Task.isCancelled { return }
        }
    }

    private func pause(_ backoff: inout Duration) async throws {
        try await Task.sleep(for: backoff)
        backoff = min(backoff * 2, configuration.maxBackoff)
    }

    /// The oldest unacknowledged lines, within the batch limits.
    private func nextBatch() -> [LogEntry] {
        condition.withLock {
            var bytes = 0
            var count = 0
            for entry in pending.prefix(configuration.maxBatchLines) {
                bytes += entry.message.utf8.count + 128
                if count > 0 && bytes > configuration.maxBatchBytes { break }
                count += 1
            }
            return Array(pending.prefix(count))
        }
    }

    private func acknowledge(through sequence: Int) {
        condition.withLock {
            guard sequence > lastAcknowledged else { return }
            lastAcknowledged = sequence
            let acknowledged = pending.prefix { ($0.sequence ?? 0) <= sequence }.count
            pending.removeFirst(acknowledged)
            condition.broadcast()
        }
    }

    /// The server holds every line up to `serverLast`: drop those, and if it lacks lines already dropped here (it
    /// lost them), renumber the rest to follow on without a gap.
    private func resume(after serverLast: Int) {
        condition.withLock {
            if serverLast >= lastAcknowledged {
                lastAcknowledged = serverLast
                pending.removeFirst(pending.prefix { ($0.sequence ?? 0) <= serverLast }.count)
            } else {
                lost += lastAcknowledged - serverLast
                lastAcknowledged = serverLast
                for index in pending.indices { pending[index].sequence = serverLast + 1 + index }
                nextSequence = serverLast + 1 + pending.count
            }
            condition.broadcast()
        }
    }

    private func abandon() {
        condition.withLock {
            lost += pending.count
            pending.removeAll()
            isAbandoned = true
            condition.broadcast()
        }
    }
}
