import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Job log store")
struct JobLogStoreTests {
    let directory = TemporaryDirectory()

    func line(_ sequence: Int?, _ message: String) -> LogEntry {
        LogEntry(sequence: sequence, timestamp: Date(timeIntervalSince1970: 1_800_000_000), message: message, stream: .stdout)
    }

    @Test("a retried upload neither loses nor duplicates lines")
    func idempotentRetry() async throws {
        let logs = try JobLogStore(directory: directory.path)
        let first = try await logs.append([line(1, "a"), line(2, "b")], to: "job-1")
        #expect(first == LogBatchResult(accepted: 2, lastSequence: 2))
        // The agent did not see the answer and sends 1...3 again.
        let retried = try await logs.append([line(1, "a"), line(2, "b"), line(3, "c")], to: "job-1")
        #expect(retried == LogBatchResult(accepted: 1, lastSequence: 3))
        #expect(try await logs.entries(of: "job-1").map(\.message) == ["a", "b", "c"])
    }

    @Test("lines survive reopening; tail and after select what is read")
    func reopenTailAfter() async throws {
        do {
            let logs = try JobLogStore(directory: directory.path)
            _ = try await logs.append((1...10).map { (number: Int) in line(number, "line \(number)") }, to: "job-2")
        }
        let logs = try JobLogStore(directory: directory.path)
        #expect(try await logs.lastSequence(of: "job-2") == 10)
        #expect(try await logs.entries(of: "job-2", lines: 2).map(\.sequence) == [9, 10])
        #expect(try await logs.entries(of: "job-2", after: 7).map(\.sequence) == [8, 9, 10])
        let unnumbered = try await logs.append([line(nil, "x")], to: "job-2")
        #expect(unnumbered.lastSequence == 11)
    }

    @Test("a torn last line is skipped and the next append starts on a new line")
    func tornLine() async throws {
        do {
            let logs = try JobLogStore(directory: directory.path)
            _ = try await logs.append([line(1, "whole")], to: "job-3")
        }
        let path = directory.path + "/job-3.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"seq":2,"message":"half"#.utf8))
        try handle.close()
        let logs = try JobLogStore(directory: directory.path)
        #expect(try await logs.entries(of: "job-3").map(\.message) == ["whole"])
        _ = try await logs.append([line(2, "again")], to: "job-3")
        #expect(try await logs.entries(of: "job-3").map(\.message) == ["whole", "again"])
    }

    @Test("a follower gets the backlog, then live lines, and ends when the job finishes")
    func follow() async throws {
        let logs = try JobLogStore(directory: directory.path)
        _ = try await logs.append([line(1, "before")], to: "job-4")
        let stream = try await logs.follow("job-4")
        let collector = Task {
            var messages: [String] = []
            for await entry in stream { messages.append(entry.message) }
            return messages
        }
        _ = try await logs.append([line(2, "live")], to: "job-4")
        await logs.finish("job-4")
        #expect(await collector.value == ["before", "live"])
    }

    @Test("followers joining while uploads sync get every line once, in order; jobs upload side by side")
    func followDuringSyncs() async throws {
        let logs = try JobLogStore(directory: directory.path)
        let jobs = ["job-a", "job-b", "job-c"]
        let uploads = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for job in jobs {
                    group.addTask {
                        for batch in 0..<100 {
                            _ = try await logs.append((1...5).map { self.line(batch * 5 + $0, "\(job) \(batch * 5 + $0)") }, to: job)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var collectors: [Task<[Int], Never>] = []
        for round in 0..<6 {
            for job in jobs {
                let stream = try await logs.follow(job)
                collectors.append(Task { await stream.reduce(into: []) { $0.append($1.sequence ?? -1) } })
            }
            try await Task.sleep(for: .milliseconds(round * 5))
        }
        try await uploads.value
        for job in jobs { await logs.finish(job) }
        for collector in collectors {
            #expect(await collector.value == Array(1...500))
        }
    }

    @Test("a follower that starts as its job finishes still gets the whole log, then ends")
    func followAsJobFinishes() async throws {
        let logs = try JobLogStore(directory: directory.path)
        _ = try await logs.append((1...2000).map { (number: Int) in line(number, "line \(number)") }, to: "job-f")
        // The finish lands once the follower is registered: while its backlog is read, or just after.
        let following = Task { try await logs.follow("job-f") }
        while await logs.followerCount(of: "job-f") == 0 { await Task.yield() }
        await logs.finish("job-f")
        var sequences: [Int] = []
        for await entry in try await following.value { sequences.append(entry.sequence ?? -1) }
        #expect(sequences == Array(1...2000))
    }

    @Test("a job id cannot name a file outside the log directory")
    func pathSafety() async throws {
        let logs = try JobLogStore(directory: directory.path + "/logs")
        _ = try await logs.append([line(1, "x")], to: "../escape")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/escape.jsonl"))
        #expect(try await logs.entries(of: "../escape").count == 1)
    }

    @Test("a line that would leave a gap is refused with the last sequence held, and nothing is stored")
    func gapRefused() async throws {
        let logs = try JobLogStore(directory: directory.path)
        _ = try await logs.append([line(1, "a"), line(2, "b")], to: "job-5")
        await #expect {
            _ = try await logs.append([line(3, "c"), line(5, "e")], to: "job-5")
        } throws: { error in
            let error = error as? ServerError
            return error?.status == 409 && error?.details?["last_sequence"]?.intValue == 2
        }
        #expect(try await logs.entries(of: "job-5").map(\.message) == ["a", "b"])
    }

    @Test("a later attempt's lines follow the earlier attempt's after a marker, however its agent numbers them")
    func attemptsKeepGrowing() async throws {
        let logs = try JobLogStore(directory: directory.path)
        _ = try await logs.append([line(1, "first a"), line(2, "first b"), line(3, "first c")], to: "job-7")
        // The second attempt's agent could not learn the last sequence and numbers from 1 again.
        let second = try await logs.appendEntries(
            [line(1, "second a"), line(2, "second b")], to: "job-7", attempt: 2, marker: "Attempt 2 of 3")
        #expect(second.result == LogBatchResult(accepted: 3, lastSequence: 2), "the answer speaks the agent's numbering")
        #expect(second.accepted.map(\.sequence) == [4, 5, 6])
        // A retried upload of the same attempt is still idempotent, and the next lines follow on.
        let retried = try await logs.append([line(2, "second b"), line(3, "second c")], to: "job-7", attempt: 2)
        #expect(retried == LogBatchResult(accepted: 1, lastSequence: 3))
        // The third attempt's agent asked and numbers after the last stored line.
        let third = try await logs.append([line(8, "third a")], to: "job-7", attempt: 3)
        #expect(third == LogBatchResult(accepted: 2, lastSequence: 8))
        let stored = try await logs.entries(of: "job-7")
        #expect(stored.map(\.sequence) == Array(1...9).map { Optional($0) })
        #expect(
            stored.map(\.message) == [
                "first a", "first b", "first c", "Attempt 2 of 3", "second a", "second b", "second c", "Attempt 3", "third a",
            ])
        #expect(stored[3].stream == .system && stored[3].context?["attempt"] == 2)
    }

    @Test("an attempt's numbering survives reopening the store, and a gap is reported in the agent's numbering")
    func attemptNumberingSurvivesReopening() async throws {
        do {
            let logs = try JobLogStore(directory: directory.path)
            _ = try await logs.append([line(1, "a"), line(2, "b")], to: "job-8")
            _ = try await logs.append([line(1, "retry a")], to: "job-8", attempt: 2)
        }
        let logs = try JobLogStore(directory: directory.path)
        let resent = try await logs.append([line(1, "retry a"), line(2, "retry b")], to: "job-8", attempt: 2)
        #expect(resent == LogBatchResult(accepted: 1, lastSequence: 2))
        #expect(try await logs.entries(of: "job-8").map(\.message) == ["a", "b", "Attempt 2", "retry a", "retry b"])
        await #expect {
            _ = try await logs.append([line(5, "ahead")], to: "job-8", attempt: 2)
        } throws: { error in
            let error = error as? ServerError
            return error?.status == 409 && error?.details?["last_sequence"] == 2
        }
    }

    @Test("a page after a sequence is bounded and says whether more lines follow")
    func pagesAfterASequence() async throws {
        let logs = try JobLogStore(directory: directory.path)
        _ = try await logs.append((1...25).map { (number: Int) in line(number, "line \(number)") }, to: "job-9")
        let first = try await logs.page(of: "job-9", after: 0, limit: 10)
        #expect(first.items.map(\.sequence) == Array(1...10).map { Optional($0) } && first.hasMore && first.totalCount == 25)
        let last = try await logs.page(of: "job-9", after: 20, limit: 10)
        #expect(last.items.count == 5 && !last.hasMore)
    }
}
