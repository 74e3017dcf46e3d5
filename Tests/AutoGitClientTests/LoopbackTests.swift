import AutoGitCore
import AutoGitHTTP
import Foundation
import Testing

@testable import AutoGitClient

/// The SDK with its real transports (URLSession, and sockets where parameterised) against small stub servers on 127.0.0.1 (AutoGitHTTP's `HTTPServer`,
/// and a raw socket server for resets): retries, timeouts, streaming, reconnection, cancellation and pagination
/// as they happen on the wire.
@Suite("The SDK over loopback sockets")
struct LoopbackTests {
    static let runnerJSON = #"{"id":"r1","name":"gpu-1","status":"idle","labels":["cuda"]}"#
    static let jobJSON =
        #"{"id":"j1","name":"train","steps":[{"name":"s","run":"echo"}],"status":"queued","created_at":"2024-01-15T10:30:00Z"}"#

    static func json(_ text: String, status: HTTPStatus = .ok, headers: AutoGitHTTP.HTTPHeaders = [:]) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers, bytes: Array(text.utf8))
        response.headers["Content-Type"] = "application/json"
        return response
    }

    static func error(_ status: HTTPStatus, _ code: String, headers: AutoGitHTTP.HTTPHeaders = [:]) -> HTTPResponse {
        json(#"{"error":{"code":"\#(code)","message":"\#(status.reasonPhrase)"}}"#, status: status, headers: headers)
    }

    /// A client of `url` over a new transport of `transport`'s kind, recording (and, with `sleepsForReal`, sleeping)
    /// its waits.
    static func client(
        _ url: URL, over transport: TransportKind = .urlSession, sleeper: SleepRecorder = SleepRecorder(),
        configure: (inout AutoGitClient.Configuration) -> Void = { _ in }
    ) -> AutoGitClient {
        var configuration = AutoGitClient.Configuration()
        configure(&configuration)
        var client = AutoGitClient(
            baseURL: url, credentials: .bearer("loopback-token"), configuration: configuration, transport: transport.make())
        client.sleep = { try await sleeper.sleep($0) }
        return client
    }

    static func eventJSON(_ id: Int) -> String {
        #"{"id":"\#(id)","type":"job_status_changed","payload":{"job_id":"j1"},"timestamp":"2024-01-15T10:41:00Z"}"#
    }

    static func event(_ id: Int) -> AutoGitHTTP.ServerSentEvent {
        AutoGitHTTP.ServerSentEvent(id: String(id), event: "job_status_changed", data: eventJSON(id))
    }

    static func logLine(_ seq: Int) -> AutoGitHTTP.ServerSentEvent {
        AutoGitHTTP.ServerSentEvent(
            id: String(seq), event: "log", data: #"{"seq":\#(seq),"timestamp":"2024-01-15T10:31:04Z","message":"line \#(seq)"}"#)
    }

    /// Waits until `condition` holds, failing after `limit`.
    static func eventually(_ what: String, limit: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { throw LoopbackError(description: "\(what) did not happen within \(limit)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Retries

    @Test("a GET answered 429 with Retry-After is sent again after that delay, and then succeeds")
    func retryAfter429() async throws {
        let arrivals = Log<ContinuousClock.Instant>()
        try await withStubServer({ _ in
            arrivals.append(.now)
            if arrivals.count == 1 { return Self.error(.tooManyRequests, "RATE_LIMIT_EXCEEDED", headers: ["Retry-After": "1"]) }
            return Self.json(Self.runnerJSON)
        }) { _, url in
            let sleeper = SleepRecorder(sleepsForReal: true)
            let runner = try await Self.client(url, sleeper: sleeper).runners.get("r1")
            #expect(runner.id == "r1")
            #expect(sleeper.recorded == [.seconds(1)])
            let times = arrivals.all
            try #require(times.count == 2)
            // The server saw the second attempt no sooner than Retry-After allowed.
            #expect(times[1] - times[0] >= .seconds(1))
        }
    }

    @Test("a POST answered 429 is not sent again unless the client is configured to retry every request", arguments: TransportKind.allCases)
    func postNotRetriedOn429(_ transport: TransportKind) async throws {
        let arrivals = Counter()
        try await withStubServer({ _ in
            arrivals.increment() <= 2
                ? Self.error(.tooManyRequests, "RATE_LIMIT_EXCEEDED", headers: ["Retry-After": "1"])
                : Self.json(Self.jobJSON, status: .created)
        }) { _, url in
            let spec = JobSpec(name: "train", steps: [JobStep(name: "s", run: "echo")])
            do {
                _ = try await Self.client(url, over: transport).jobs.submit(spec)
                Issue.record("no error")
            } catch let error as AutoGitError {
                #expect(error.kind == .rateLimited)
                #expect(error.code == .rateLimitExceeded)
                #expect(error.retryAfter == .seconds(1))
                #expect(error.status == 429)
            }
            #expect(arrivals.value == 1)
            let sleeper = SleepRecorder()
            let job = try await Self.client(url, over: transport, sleeper: sleeper) { $0.retry.mode = .always }.jobs.submit(spec)
            #expect(job.id == "j1")
            #expect(arrivals.value == 3)
            #expect(sleeper.recorded == [.seconds(1)])
        }
    }

    @Test("a GET answered 503 is retried with backoff until it succeeds", arguments: TransportKind.allCases)
    func retry503(_ transport: TransportKind) async throws {
        let arrivals = Counter()
        try await withStubServer({ _ in
            arrivals.increment() < 3 ? Self.error(.serviceUnavailable, "SERVICE_UNAVAILABLE") : Self.json(Self.runnerJSON)
        }) { _, url in
            let sleeper = SleepRecorder()
            _ = try await Self.client(url, over: transport, sleeper: sleeper).runners.get("r1")
            #expect(arrivals.value == 3)
            #expect(sleeper.recorded.count == 2)
        }
    }

    @Test("a connection reset by the server is retried for a GET, never for a POST", arguments: TransportKind.allCases)
    func connectionReset(_ transport: TransportKind) async throws {
        let body = Self.runnerJSON
        let answer =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let server = try RawServer(resets: 1, answer: answer)
        defer { server.stop() }
        let url = URL(string: "http://127.0.0.1:\(server.port)")!
        let runner = try await Self.client(url, over: transport).runners.get("r1")
        #expect(runner.id == "r1")
        #expect(server.connectionCount == 2)

        let resetting = try RawServer(resets: 1, answer: answer)
        defer { resetting.stop() }
        let postURL = URL(string: "http://127.0.0.1:\(resetting.port)")!
        do {
            _ = try await Self.client(postURL, over: transport).jobs.submit(
                JobSpec(name: "train", steps: [JobStep(name: "s", run: "echo")]))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.code == .connectionLost)
        }
        #expect(resetting.connectionCount == 1)
    }

    // MARK: Timeouts

    @Test(
        "a request that outlives its timeout fails with TIMED_OUT and the client closes its connection", arguments: TransportKind.allCases)
    func perRequestTimeout(_ transport: TransportKind) async throws {
        let server = try RawServer([.silence])
        defer { server.stop() }
        let client = Self.client(URL(string: "http://127.0.0.1:\(server.port)")!, over: transport) { configuration in
            configuration.timeout = .milliseconds(300)
            configuration.retry = .disabled
        }
        do {
            _ = try await client.runners.get("r1")
            Issue.record("no timeout")
        } catch {
            #expect(error.kind == .timedOut)
            #expect(error.code == .timedOut)
        }
        try await Self.eventually("the server seeing the connection close") { server.closedByClient == 1 }
    }

    // MARK: Streaming

    @Test("events arrive one by one while the server is still sending: event 1 before event 2 is sent", arguments: TransportKind.allCases)
    func eventsArriveOneByOne(_ transport: TransportKind) async throws {
        let receivedFirst = Gate()
        let sentSecond = Gate()
        try await withStubServer({ _ in
            let (events, continuation) = AsyncStream.makeStream(of: AutoGitHTTP.ServerSentEvent.self)
            let producer = Task {
                continuation.yield(Self.event(1))
                // Event 2 is only sent once the client has event 1 in hand.
                try await receivedFirst.wait()
                sentSecond.signal()
                continuation.yield(Self.event(2))
            }
            continuation.onTermination = { _ in producer.cancel() }
            return .serverSentEvents(events)
        }) { _, url in
            let client = Self.client(url, over: transport)
            try await withTimeLimit(.seconds(20), "streaming two events") {
                var ids: [String] = []
                for try await event in client.events.stream(types: [.jobStatusChanged]) {
                    ids.append(event.id)
                    if event.id == "1" {
                        #expect(!sentSecond.isOpen, "event 2 was sent before event 1 arrived")
                        receivedFirst.signal()
                    }
                    if event.id == "2" { break }
                }
                #expect(ids == ["1", "2"])
            }
        }
    }

    @Test(
        "after the server drops the connection the stream reconnects with Last-Event-ID and misses nothing",
        arguments: TransportKind.allCases)
    func reconnectAfterDrop(_ transport: TransportKind) async throws {
        struct ProducerFailure: Error {}
        let lastEventIDs = Log<String>()
        try await withStubServer({ request in
            let lastEventID = request.headers["Last-Event-ID"]
            lastEventIDs.append(lastEventID ?? "-")
            let (events, continuation) = AsyncThrowingStream.makeStream(of: AutoGitHTTP.ServerSentEvent.self, throwing: (any Error).self)
            if lastEventID == nil {
                continuation.yield(AutoGitHTTP.ServerSentEvent(retry: .milliseconds(100)))
                continuation.yield(Self.event(1))
                continuation.yield(Self.event(2))
                // A producer failure makes the server cut the connection without ending the chunked body.
                continuation.finish(throwing: ProducerFailure())
            } else {
                continuation.yield(Self.event(3))
            }
            return .serverSentEvents(events)
        }) { _, url in
            let sleeper = SleepRecorder(sleepsForReal: true)
            let client = Self.client(url, over: transport, sleeper: sleeper)
            try await withTimeLimit(.seconds(20), "reconnecting") {
                var ids: [String] = []
                for try await event in client.events.stream() {
                    ids.append(event.id)
                    if ids.count == 3 { break }
                }
                #expect(ids == ["1", "2", "3"])
            }
            #expect(lastEventIDs.all.prefix(2) == ["-", "2"])
            // The wait before reconnecting is the server's `retry:` (100 ms, less jitter).
            #expect(sleeper.recorded.first.map { $0 <= .milliseconds(100) && $0 >= .milliseconds(80) } == true)
        }
    }

    @Test("a followed job log resumes after a drop with after=seq and ends at the server's `end` event", arguments: TransportKind.allCases)
    func jobLogFollowResumesAndEnds(_ transport: TransportKind) async throws {
        struct ProducerFailure: Error {}
        let targets = Log<String>()
        try await withStubServer({ request in
            targets.append(request.target)
            let (events, continuation) = AsyncThrowingStream.makeStream(of: AutoGitHTTP.ServerSentEvent.self, throwing: (any Error).self)
            if request.headers["Last-Event-ID"] == nil {
                continuation.yield(Self.logLine(1))
                continuation.yield(Self.logLine(2))
                continuation.finish(throwing: ProducerFailure())
            } else {
                continuation.yield(Self.logLine(3))
                continuation.yield(AutoGitHTTP.ServerSentEvent(event: "end", data: #"{"job_id":"j1","status":"succeeded","exit_code":0}"#))
                continuation.finish()
            }
            return .serverSentEvents(events)
        }) { _, url in
            let client = Self.client(url, over: transport)
            let seqs = try await withTimeLimit(.seconds(20), "following the log") {
                var seqs: [Int] = []
                for try await line in client.jobs.logs("j1", lines: 10, follow: true) { seqs.append(line.sequence ?? -1) }
                return seqs
            }
            #expect(seqs == [1, 2, 3])
            #expect(targets.all == ["/v1/jobs/j1/logs?follow=true&lines=10", "/v1/jobs/j1/logs?follow=true&after=2"])
        }
    }

    @Test(
        "cancelling a follow closes its connection: the server's event producer ends and the connection goes",
        arguments: TransportKind.allCases)
    func cancellingAFollowClosesTheConnection(_ transport: TransportKind) async throws {
        for way in ["cancel the task", "leave the loop"] {
            let terminated = Gate()
            try await withStubServer({ _ in
                let (events, continuation) = AsyncStream.makeStream(of: AutoGitHTTP.ServerSentEvent.self)
                continuation.yield(Self.logLine(1))
                continuation.onTermination = { _ in terminated.signal() }
                return .serverSentEvents(events)
            }) { server, url in
                let client = Self.client(url, over: transport)
                let received = Gate()
                let countsWhileFollowing = Log<Int>()
                let follower = Task {
                    for try await _ in client.jobs.logs("j1", follow: true) {
                        countsWhileFollowing.append(server.connectionCount)
                        received.signal()
                        if way == "leave the loop" { break }
                    }
                }
                try await received.wait()
                #expect(countsWhileFollowing.all == [1])
                if way == "cancel the task" { follower.cancel() }
                try await terminated.wait(limit: .seconds(10))
                try await Self.eventually("the connection closing (\(way))") { server.connectionCount == 0 }
                _ = await follower.result
            }
        }
    }

    // MARK: Pagination

    @Test("a list fetches pages lazily, as far as the iteration goes, and stops when has_more is false", arguments: TransportKind.allCases)
    func lazyPagination(_ transport: TransportKind) async throws {
        let offsets = Log<Int>()
        try await withStubServer({ request in
            let limit = Int(request.queryValue("limit") ?? "") ?? 50
            let offset = Int(request.queryValue("offset") ?? "") ?? 0
            offsets.append(offset)
            let total = 5
            let items = (offset..<min(total, offset + limit)).map { #"{"id":"r\#($0)","name":"n\#($0)","status":"idle"}"# }
            let hasMore = offset + items.count < total
            return Self.json(
                #"{"items":[\#(items.joined(separator: ","))],"total_count":\#(total),"has_more":\#(hasMore),"limit":\#(limit),"offset":\#(offset)}"#
            )
        }) { _, url in
            let client = Self.client(url, over: transport)
            let runners = client.runners.list(status: .idle, pageSize: 2)
            #expect(offsets.count == 0, "nothing is fetched before the iteration starts")

            var firstThree: [String] = []
            for try await runner in runners {
                firstThree.append(runner.id)
                if firstThree.count == 3 { break }
            }
            #expect(firstThree == ["r0", "r1", "r2"])
            #expect(offsets.all == [0, 2], "only the pages the iteration reached")

            let all = try await runners.collect()
            #expect(all.map(\.id) == ["r0", "r1", "r2", "r3", "r4"])
            #expect(offsets.all == [0, 2, 0, 2, 4], "the last page said has_more false: no fourth request")
        }
    }
}
