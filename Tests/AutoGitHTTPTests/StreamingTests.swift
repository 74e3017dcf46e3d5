import AutoGitHTTP
import Foundation
import Synchronization
import Testing

/// Records what producers observed, across tasks.
final class Probe: Sendable {
    private let events = Mutex<[String]>([])

    func record(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }

    /// Waits up to `timeout` for `event` to be recorded.
    func wait(for event: String, timeout: Duration = .seconds(3)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if all.contains(event) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

struct ProducerFailure: Error {}

func streamingRouter(_ probe: Probe) -> Router {
    var router = testRouter()
    // The second part of /stream and /events waits until the test records "release" (or 5 s pass), so a test can
    // prove the first part arrived while the handler was still producing, without measuring time.
    router.get("/stream") { _ in
        let chunks = AsyncStream<[UInt8]> { continuation in
            let producer = Task {
                continuation.yield(Array("first".utf8))
                _ = await probe.wait(for: "release", timeout: .seconds(5))
                probe.record("second produced")
                continuation.yield(Array("second".utf8))
                continuation.finish()
            }
            continuation.onTermination = { _ in producer.cancel() }
        }
        return .stream(chunks, contentType: "text/plain")
    }
    router.get("/events") { _ in
        let events = AsyncStream<ServerSentEvent> { continuation in
            let producer = Task {
                continuation.yield(ServerSentEvent(id: "1", event: "job_status_changed", data: "line one\nline two"))
                _ = await probe.wait(for: "release", timeout: .seconds(5))
                probe.record("second produced")
                continuation.yield(ServerSentEvent(data: "{\"n\":2}", retry: .seconds(3), comment: "note"))
                continuation.finish()
            }
            continuation.onTermination = { _ in producer.cancel() }
        }
        return .serverSentEvents(events)
    }
    router.get("/forever") { _ in
        let events = AsyncStream<ServerSentEvent> { continuation in
            continuation.yield(ServerSentEvent(event: "hello", data: "started"))
            continuation.onTermination = { _ in probe.record("terminated") }
        }
        return .serverSentEvents(events)
    }
    router.get("/failing") { _ in
        let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
            continuation.yield(Array("partial".utf8))
            continuation.finish(throwing: ProducerFailure())
        }
        return .stream(chunks)
    }
    return router
}

@Suite("streamed responses and Server-Sent Events", .serialized)
struct StreamingTests {
    @Test("a chunked stream sends each chunk as it is produced")
    func chunkedStream() async throws {
        let probe = Probe()
        try await withServer(router: streamingRouter(probe)) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await client.readHeadOnly()
            #expect(head.header("Transfer-Encoding") == "chunked")
            #expect(head.header("Content-Length") == nil)
            #expect(try await client.readChunk() == Array("first".utf8))
            // The first chunk is here while the producer still waits to make the second.
            #expect(!probe.all.contains("second produced"))
            probe.record("release")
            #expect(try await client.readChunk() == Array("second".utf8))
            #expect(try await client.readChunk() == nil)
            // The connection is reusable after the last chunk.
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "hello")
        }
    }

    @Test("HTTP/1.0 gets a stream raw, ended by close")
    func streamToHTTP10() async throws {
        let probe = Probe()
        probe.record("release")
        try await withServer(router: streamingRouter(probe)) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /stream HTTP/1.0\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.text == "firstsecond")
        }
    }

    @Test("SSE events are framed per the spec and arrive one by one")
    func serverSentEvents() async throws {
        let probe = Probe()
        try await withServer(router: streamingRouter(probe)) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await client.readHeadOnly()
            #expect(head.header("Content-Type") == "text/event-stream")
            #expect(head.header("Cache-Control") == "no-cache")
            let first = try #require(try await client.readChunk())
            #expect(!probe.all.contains("second produced"))
            probe.record("release")
            #expect(String(decoding: first, as: UTF8.self) == "id: 1\nevent: job_status_changed\ndata: line one\ndata: line two\n\n")
            let second = try #require(try await client.readChunk())
            #expect(String(decoding: second, as: UTF8.self) == ": note\nretry: 3000\ndata: {\"n\":2}\n\n")
            #expect(try await client.readChunk() == nil)
        }
    }

    @Test("quiet SSE streams get heartbeat comments")
    func heartbeat() async throws {
        try await withServer(configure: { $0.sseHeartbeatInterval = .milliseconds(200) }, router: streamingRouter(Probe())) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await client.readHeadOnly()
            #expect(try await client.readChunk() == Array("event: hello\ndata: started\n\n".utf8))
            let start = ContinuousClock.now
            #expect(try await client.readChunk() == Array(": heartbeat\n\n".utf8))
            #expect(try await client.readChunk() == Array(": heartbeat\n\n".utf8))
            // Two beats at 200 ms each: well within the 15 s default that would show the setting was ignored.
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test("a client that disconnects cancels the event producer")
    func disconnectCancelsProducer() async throws {
        let probe = Probe()
        try await withServer(configure: { $0.sseHeartbeatInterval = .milliseconds(100) }, router: streamingRouter(probe)) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await client.readHeadOnly()
            _ = try await client.readChunk()
            #expect(probe.all.isEmpty)
            client.closeNow()
            #expect(await probe.wait(for: "terminated"))
            #expect(server.connectionCount == 0)
        }
    }

    @Test("a stream that fails midway is truncated, not terminated cleanly")
    func failingStream() async throws {
        try await withServer(router: streamingRouter(Probe())) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /failing HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await client.readHeadOnly()
            #expect(try await client.readChunk() == Array("partial".utf8))
            let rest = try await client.waitForClose()
            #expect(rest.closed)
            #expect(rest.bytes.isEmpty)
        }
    }

    @Test("HEAD on a streaming route sends the head only")
    func headOnStream() async throws {
        try await withServer(router: streamingRouter(Probe())) { server in
            let client = try RawClient(port: server.port)
            try await client.send("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await client.readResponse(head: true)
            #expect(head.status == 200)
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "hello")
        }
    }
}

@Suite("graceful shutdown", .serialized)
struct ShutdownTests {
    @Test("shutdown lets an in-flight request finish and closes idle connections")
    func drainsInFlight() async throws {
        let probe = Probe()
        var router = testRouter()
        // Answers only once the test says so, so the request is in flight for as long as the test needs.
        router.get("/gated") { _ in
            probe.record("started")
            _ = await probe.wait(for: "release", timeout: .seconds(10))
            return .text("gated done")
        }
        var configuration = HTTPServer.Configuration(port: 0)
        configuration.eventLoopCount = 2
        let server = HTTPServer(configuration: configuration, responder: router)
        try await server.start()
        let idle = try RawClient(port: server.port)
        try await idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await idle.readResponse()

        let busy = try RawClient(port: server.port)
        try await busy.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await probe.wait(for: "started", timeout: .seconds(10)))
        let deadline = ContinuousClock.now + .seconds(20)
        let stopping = Task { await server.shutdown(deadline: deadline) }
        // Draining has begun once the idle connection is closed; only then may the busy request finish.
        #expect(try await idle.waitForClose().closed)
        probe.record("release")
        let response = try await busy.readResponse()
        #expect(response.text == "gated done")
        #expect(response.header("Connection") == "close")
        await stopping.value
        // It stopped when the request was done, not at the deadline.
        #expect(ContinuousClock.now < deadline)
        #expect(throws: RawClientError.self) { try RawClient(port: server.port) }
    }

    @Test("shutdown ends SSE streams with their last chunk and cancels the producer")
    func endsEventStreams() async throws {
        let probe = Probe()
        var configuration = HTTPServer.Configuration(port: 0)
        configuration.eventLoopCount = 1
        let server = HTTPServer(configuration: configuration, responder: streamingRouter(probe))
        try await server.start()
        let client = try RawClient(port: server.port)
        try await client.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await client.readHeadOnly()
        _ = try await client.readChunk()
        let deadline = ContinuousClock.now + .seconds(20)
        await server.shutdown(deadline: deadline)
        #expect(ContinuousClock.now < deadline)
        #expect(try await client.readChunk() == nil)
        #expect(await probe.wait(for: "terminated"))
    }

    @Test("shutdown past its deadline closes a request that is still running")
    func deadlineForcesClose() async throws {
        var router = Router()
        router.get("/stuck") { _ in
            try await Task.sleep(for: .seconds(30))
            return .text("never")
        }
        var configuration = HTTPServer.Configuration(port: 0)
        configuration.eventLoopCount = 1
        let server = HTTPServer(configuration: configuration, responder: router)
        try await server.start()
        let client = try RawClient(port: server.port)
        try await client.send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        await server.shutdown(deadline: .now + .milliseconds(200))
        // The handler sleeps 30 s; returning well before that shows the deadline cut it off.
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(try await client.waitForClose().closed)
    }
}
