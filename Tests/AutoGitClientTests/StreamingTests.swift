import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitClient

/// Streams over the in-process transport: what is asked for on each (re)connection, and when streams end.
@Suite("Event streams reconnect, resume and end (in process)")
struct StreamingTests {
    static func eventJSON(_ id: Int, _ type: String = "job_status_changed") -> String {
        #"{"id":"\#(id)","type":"\#(type)","payload":{"job_id":"j1"},"timestamp":"2024-01-15T10:41:00Z"}"#
    }

    static func eventBlock(_ id: Int) -> String {
        "id: \(id)\nevent: job_status_changed\ndata: \(eventJSON(id))\n\n"
    }

    static func logBlock(_ seq: Int) -> String {
        "id: \(seq)\nevent: log\ndata: {\"seq\":\(seq),\"timestamp\":\"2024-01-15T10:31:04Z\",\"message\":\"line \(seq)\"}\n\n"
    }

    @Test("after a dropped connection the event stream reconnects with Last-Event-ID, waiting the server's retry time")
    func reconnectsWithLastEventID() async throws {
        let transport = RecordingTransport { _, index in
            switch index {
            case 0:
                eventStreamResponse(["retry: 1500\n\n", Self.eventBlock(1), Self.eventBlock(2)], failing: URLError(.networkConnectionLost))
            default: eventStreamResponse([Self.eventBlock(3)])
            }
        }
        let sleeper = SleepRecorder()
        var ids: [String] = []
        for try await event in makeClient(transport, sleeper: sleeper).events.stream(types: [.jobStatusChanged]) {
            ids.append(event.id)
            if ids.count == 3 { break }
        }
        #expect(ids == ["1", "2", "3"])
        // The second connection ends after event 3, so the stream may already be connecting a third time when the
        // loop leaves: look at the first two.
        let requests = transport.requests.prefix(2)
        #expect(requests.map { $0.headers["Last-Event-ID"] } == [nil, "2"])
        #expect(requests.map(\.target) == Array(repeating: "/v1/events?types=job_status_changed", count: 2))
        // The server asked for 1.5 s; the client waits that, less up to 20 % jitter.
        let wait = try #require(sleeper.recorded.first)
        #expect(wait >= .milliseconds(1200) && wait <= .milliseconds(1500))
    }

    @Test("a followed job log resumes after the last seq, without replaying `lines`, and ends at `end`")
    func jobLogResumes() async throws {
        let transport = RecordingTransport { _, index in
            switch index {
            case 0: eventStreamResponse([Self.logBlock(1), Self.logBlock(2)], failing: URLError(.networkConnectionLost))
            case 1: eventStreamResponse([Self.logBlock(3)])  // the server closed cleanly without `end`: reconnect
            default: eventStreamResponse([Self.logBlock(4), "event: end\ndata: {\"job_id\":\"j1\",\"status\":\"succeeded\"}\n\n"])
            }
        }
        var seqs: [Int] = []
        for try await line in makeClient(transport, sleeper: SleepRecorder()).jobs.logs("j1", lines: 50, follow: true) {
            seqs.append(line.sequence ?? -1)
        }
        #expect(seqs == [1, 2, 3, 4])
        #expect(
            transport.requests.map(\.target) == [
                "/v1/jobs/j1/logs?follow=true&lines=50", "/v1/jobs/j1/logs?follow=true&after=2", "/v1/jobs/j1/logs?follow=true&after=3",
            ])
        #expect(transport.requests.map { $0.headers["Last-Event-ID"] } == [nil, "2", "3"])
    }

    @Test("when the first connection fails the stream ends at once with that error")
    func firstConnectionFailure() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(404, #"{"error":{"code":"JOB_NOT_FOUND","message":"no job"}}"#) }
        do {
            for try await _ in makeClient(transport, sleeper: SleepRecorder()).jobs.logs("nope", follow: true) {}
            Issue.record("no error")
        } catch let error as AutoGitError {
            #expect(error.code == .jobNotFound)
        }
        #expect(transport.count == 1)
    }

    @Test("a reconnection the server refuses for good (401) ends the stream with that error")
    func reconnectionRefused() async throws {
        let transport = RecordingTransport { _, index in
            index == 0
                ? eventStreamResponse([Self.eventBlock(1)], failing: URLError(.networkConnectionLost))
                : jsonResponse(401, #"{"error":{"code":"AUTHENTICATION_REQUIRED","message":"token expired"}}"#)
        }
        var received = 0
        do {
            for try await _ in makeClient(transport, sleeper: SleepRecorder()).events.stream() { received += 1 }
            Issue.record("no error")
        } catch let error as AutoGitError {
            #expect(error.code == .authenticationRequired)
        }
        #expect(received == 1)
        #expect(transport.count == 2)
    }

    @Test("reconnection gives up after the policy's attempts, backing off between them")
    func reconnectionGivesUp() async throws {
        let transport = RecordingTransport { _, index in
            if index == 0 { return eventStreamResponse([Self.eventBlock(1)], failing: URLError(.networkConnectionLost)) }
            throw URLError(.cannotConnectToHost)
        }
        let sleeper = SleepRecorder()
        let client = makeClient(transport, sleeper: sleeper) { $0.reconnect = ReconnectPolicy(maxAttempts: 3, initialDelay: .seconds(1)) }
        do {
            for try await _ in client.events.stream() {}
            Issue.record("no error")
        } catch let error as AutoGitError {
            #expect(error.code == .serverUnreachable)
        }
        #expect(transport.count == 4)
        let waits = sleeper.recorded
        #expect(waits.count == 3)
        #expect(waits[0] <= .seconds(1) && waits[1] <= .seconds(2) && waits[2] <= .seconds(4))
        #expect(waits[0] >= .milliseconds(800) && waits[2] >= .milliseconds(3200))
    }

    @Test("with reconnection disabled a dropped connection ends the stream with an error")
    func reconnectionDisabled() async throws {
        let transport = RecordingTransport { _, _ in eventStreamResponse([Self.eventBlock(1)], failing: URLError(.networkConnectionLost)) }
        let client = makeClient(transport, sleeper: SleepRecorder()) { $0.reconnect = .disabled }
        await #expect(throws: AutoGitError.self) {
            for try await _ in client.events.stream() {}
        }
        #expect(transport.count == 1)
    }

    @Test("an event whose data is not the expected JSON ends the stream with a decoding error showing the data")
    func badEventData() async throws {
        let transport = RecordingTransport { _, _ in eventStreamResponse(["event: job_status_changed\ndata: {\"id\":1}\n\n"]) }
        do {
            for try await _ in makeClient(transport, sleeper: SleepRecorder()).events.stream() {}
            Issue.record("no error")
        } catch let error as AutoGitError {
            #expect(error.kind == .decoding)
            #expect(error.bodyExcerpt == #"{"id":1}"#)
        }
    }

    @Test("heartbeats and unknown events are skipped in a job log")
    func skipsNoise() async throws {
        let transport = RecordingTransport { _, _ in
            eventStreamResponse([": heartbeat\n\n", "event: progress\ndata: 50\n\n", Self.logBlock(7), "event: end\ndata: {}\n\n"])
        }
        var lines: [LogEntry] = []
        for try await line in makeClient(transport).jobs.logs("j1", follow: true) { lines.append(line) }
        #expect(lines.map(\.sequence) == [7])
    }

    @Test("stopping a stream, by leaving the loop or cancelling the task, cancels the body being read")
    func stoppingCancelsTheBody() async throws {
        for way in ["break", "cancel"] {
            let cancelled = Gate()
            let transport = RecordingTransport { _, _ in
                let (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
                continuation.yield(Data(Self.eventBlock(1).utf8))
                return HTTPResponseData(
                    status: 200, headers: ["Content-Type": "text/event-stream"],
                    body: HTTPBody(stream: stream) {
                        cancelled.signal()
                        continuation.finish(throwing: URLError(.cancelled))
                    })
            }
            let client = makeClient(transport)
            let received = Gate()
            let task = Task {
                for try await _ in client.events.stream() {
                    received.signal()
                    if way == "break" { break }
                }
            }
            try await received.wait()
            if way == "cancel" { task.cancel() }
            try await cancelled.wait()
            _ = await task.result
            #expect(transport.count == 1, "\(way)")
        }
    }
}
