import AutoGitClient
import AutoGitCore
import Foundation
import Testing

@testable import AutoGitRunner

@Suite("log uploader")
struct LogUploaderTests {
    static let quick = LogUploader.Configuration(
        maxBatchLines: 500, maxBufferedLines: 2_000, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(20))

    static func uploader(_ server: StubServer, job: String, firstSequence: Int = 1) async -> LogUploader {
        let client = await server.client(retries: false)
        return LogUploader(jobID: job, firstSequence: firstSequence, configuration: quick) { entries in
            try await client.jobs.appendLogs(job, entries)
        }
    }

    /// Appends `count` lines from a thread of its own, as a step's reader does, and waits until it is done.
    static func append(_ count: Int, to uploader: LogUploader) async {
        let done = Latch()
        BlockingThread.start(name: "test-appender") {
            for number in 1...count { uploader.append("line \(number)", stream: .stdout, step: "s") }
            done.signal()
        }
        await done.wait()
    }

    @Test("uploads that fail, before or after the server stored them, are retried without losing or duplicating a line")
    func retriesWithoutLossOrDuplication() async {
        let server = StubServer()
        // Every third upload fails outright; every fifth is stored but its answer is lost.
        await server.setLogFault { number in number % 3 == 0 ? .failBeforeStoring : number % 5 == 0 ? .failAfterStoring : .none }
        let uploader = await Self.uploader(server, job: "job-1")
        uploader.start()
        await Self.append(20_000, to: uploader)
        let summary = await uploader.finish(within: .seconds(60))
        #expect(summary == LogUploader.Summary(lastAcknowledged: 20_000, appended: 20_000, lost: 0))
        let stored = await server.logs["job-1"] ?? []
        #expect(stored.map(\.sequence) == (1...20_000).map { Optional($0) })
        #expect(stored.map(\.message) == (1...20_000).map { "line \($0)" })
        #expect(await server.logRequests > 3)
    }

    @Test("a conflict naming the server's last sequence makes the uploader resume right after it")
    func resumesAfterConflict() async {
        let server = StubServer()
        // The uploader believes 1...9 were acknowledged; the server holds nothing: it renumbers from 1.
        let uploader = await Self.uploader(server, job: "job-2", firstSequence: 10)
        uploader.start()
        await Self.append(50, to: uploader)
        let summary = await uploader.finish(within: .seconds(30))
        #expect(summary.lastAcknowledged == 50)
        #expect(await server.messages(of: "job-2") == (1...50).map { "line \($0)" })
    }

    @Test("a later attempt numbers its lines after the earlier attempt's")
    func laterAttemptContinuesNumbering() async {
        let server = StubServer()
        await server.seed(
            logs: (1...3).map { (number: Int) in LogEntry(sequence: number, timestamp: Date(), message: "old \(number)") }, for: "job-3")
        let uploader = await Self.uploader(server, job: "job-3", firstSequence: 4)
        uploader.start()
        await Self.append(2, to: uploader)
        _ = await uploader.finish(within: .seconds(30))
        #expect(await server.messages(of: "job-3") == ["old 1", "old 2", "old 3", "line 1", "line 2"])
    }

    @Test("when the server no longer knows the job, the uploader gives up and counts the lines as lost")
    func givesUpOnUnknownJob() async {
        let server = StubServer()
        await server.refuse("nobody")
        let client = await server.client(retries: false)
        let uploader = LogUploader(jobID: "nobody", configuration: Self.quick) { entries in
            try await client.jobs.appendLogs("nobody", entries)
        }
        uploader.start()
        await Self.append(10, to: uploader)
        let summary = await uploader.finish(within: .seconds(30))
        #expect(summary.lost == 10)
    }

    @Test("finishing gives up after its time limit while the server keeps failing")
    func finishHasATimeLimit() async {
        let server = StubServer()
        await server.setLogFault { _ in .failBeforeStoring }
        let uploader = await Self.uploader(server, job: "job-4")
        uploader.start()
        await Self.append(5, to: uploader)
        let summary = await uploader.finish(within: .milliseconds(200))
        #expect(summary.lost == 5)
        #expect(await server.logs["job-4"] == nil)
    }
}
