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
}
