import AutoGitClient
import AutoGitCore
import Foundation

/// Turns a job's `::metric key=value … [step=N]` output lines into points of its experiment run, and sends them to
/// `POST /v1/runs/{id}/metrics` in batches.
///
/// ``record(_:)`` is called from the output-reading threads for every line; lines that are not metric lines are
/// ignored (they stay ordinary output either way). A line without `step=` gets the next step of each of its keys:
/// one past the last step that key had, from 0. One upload runs at a time and takes what gathered meanwhile, so a
/// chatty step sends few large batches. A failed upload is retried with the same points after a growing pause
/// (storing a key and step again replaces the value, so a repeat does no harm); the server refusing the run
/// (401, 403, 404) stops the uploads. ``finish(within:)`` sends what is left before the job's final report.
final class MetricUploader: @unchecked Sendable {
    struct Configuration: Sendable {
        var maxBatchPoints = 5000
        /// Points held while the server is unreachable; beyond it the oldest are dropped (and counted).
        var maxBufferedPoints = 1_000_000
        var initialBackoff: Duration = .milliseconds(100)
        var maxBackoff: Duration = .seconds(5)
    }

    /// Uploads one batch; throws on failure (an `AutoGitError` for server answers).
    typealias Send = @Sendable (_ points: [MetricPoint]) async throws -> Void

    /// How the uploads went, once finished.
    struct Summary: Sendable, Hashable {
        var recorded: Int
        var sent: Int
        /// Points that never reached the server (refused, dropped from a full buffer, or time ran out).
        var lost: Int
    }

    let runID: String
    private let configuration: Configuration
    private let send: Send

    // Guarded by `lock`.
    private let lock = NSLock()
    private var pending: [MetricPoint] = []
    /// Points ever removed from the front of `pending` (sent, or dropped from a full buffer).
    private var removedFromFront = 0
    private var nextSteps: [String: Int] = [:]
    private var recorded = 0
    private var sent = 0
    private var lost = 0
    private var isAbandoned = false

    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private var loop: Task<Void, Never>?

    init(runID: String, configuration: Configuration = Configuration(), send: @escaping Send) {
        self.runID = runID
        self.configuration = configuration
        self.send = send
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func start() {
        let task = Task { await self.uploadLoop() }
        lock.withLock { loop = task }
    }

    /// Records the points of `line` when it is a metric line; returns whether it was one.
    @discardableResult
    func record(_ line: String, at timestamp: Date = Date()) -> Bool {
        guard let metric = MetricLine(parsing: line) else { return false }
        lock.withLock {
            guard !isAbandoned else {
                lost += metric.values.count
                return
            }
            for (key, value) in metric.values {
                let step = metric.step ?? nextSteps[key, default: 0]
                nextSteps[key] = max(nextSteps[key, default: 0], step + 1)
                pending.append(MetricPoint(key: key, step: step, value: value, timestamp: timestamp))
                recorded += 1
            }
            if pending.count > configuration.maxBufferedPoints {
                let excess = pending.count - configuration.maxBufferedPoints
                pending.removeFirst(excess)
                removedFromFront += excess
                lost += excess
            }
        }
        ring.yield()
        return true
    }

    /// Sends what is left and stops, waiting at most `timeout`; points still unsent then are counted as lost.
    func finish(within timeout: Duration) async -> Summary {
        ring.yield()
        ring.finish()
        if let task = lock.withLock({ loop }) {
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
        return lock.withLock {
            lost += pending.count
            pending.removeAll()
            isAbandoned = true
            return Summary(recorded: recorded, sent: sent, lost: lost)
        }
    }

    private func uploadLoop() async {
        var backoff = configuration.initialBackoff
        for await _ in doorbell {
            while !Task.isCancelled {
                let (batch, batchStart) = lock.withLock { (Array(pending.prefix(configuration.maxBatchPoints)), removedFromFront) }
                guard !batch.isEmpty else { break }
                do {
                    try await send(batch)
                    lock.withLock {
                        // Points of the batch dropped from a full buffer meanwhile are gone already.
                        let remaining = min(pending.count, max(0, batch.count - (removedFromFront - batchStart)))
                        pending.removeFirst(remaining)
                        removedFromFront += remaining
                        sent += batch.count
                    }
                    backoff = configuration.initialBackoff
                } catch let error as AutoGitError where [401, 403, 404].contains(error.status ?? 0) {
                    lock.withLock {
                        lost += pending.count
                        pending.removeAll()
                        isAbandoned = true
                    }
                    return
                } catch {
                    do {
                        try await Task.sleep(for: backoff)
                    } catch {
                        return
                    }
                    backoff = min(backoff * 2, configuration.maxBackoff)
                }
            }
            if Task.isCancelled { return }
        }
    }
}
