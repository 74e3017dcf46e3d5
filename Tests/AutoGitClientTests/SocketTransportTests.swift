import AutoGitCore
import AutoGitHTTP
import Foundation
import Testing

@testable import AutoGitClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `SocketTransport` on real loopback sockets: what it writes, how it reads each kind of body, streaming as the
/// server sends, cancellation and timeouts seen from the server's side, and its failures as the SDK classifies them.
@Suite("SocketTransport over loopback sockets")
struct SocketTransportTests {
    /// A handler that answers with what it received: `METHOD target`, then selected headers, then the body.
    static let echo: HTTPHandler = { request in
        let lines = [
            "\(request.method.rawValue) \(request.target)",
            "host=\(request.headers["Host"] ?? "-")",
            "content-length=\(request.headers["Content-Length"] ?? "-")",
            "x-test=\(request.headers["X-Test"] ?? "-")",
            "connection=\(request.headers["Connection"] ?? "-")",
            "body=\(String(decoding: request.body, as: UTF8.self))",
        ]
        return HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain", "X-Echo": "yes"], bytes: Array(lines.joined(separator: "\n").utf8))
    }

    static func text(_ response: HTTPResponseData) async throws -> String {
        String(decoding: try await response.body.collect(), as: UTF8.self)
    }

    // MARK: Requests and bodies

    @Test("a GET and a POST carry their headers and bodies; the answer's headers read without regard to case")
    func getAndPost() async throws {
        try await withStubServer(Self.echo) { _, url in
            let transport = SocketTransport()
            let get = try await transport.send(
                HTTPRequestData(method: "GET", url: URL(string: "\(url)/v1/things?a=1&b=two%20words")!, headers: ["X-Test": "yes"]))
            #expect(get.status == 200)
            #expect(get.headers["x-echo"] == "yes")
            #expect(get.headers["CONTENT-TYPE"] == "text/plain")
            let getText = try await Self.text(get)
            #expect(getText.hasPrefix("GET /v1/things?a=1&b=two%20words\nhost=127.0.0.1:\(url.port!)\ncontent-length=-\nx-test=yes"))
            #expect(getText.contains("connection=close"))

            let payload = String(repeating: "0123456789", count: 20_000)  // 200 kB: more than one write
            let post = try await transport.send(
                HTTPRequestData(method: "POST", url: URL(string: "\(url)/v1/things")!, body: Data(payload.utf8)))
            let postText = try await Self.text(post)
            #expect(postText.hasPrefix("POST /v1/things\nhost=127.0.0.1:\(url.port!)\ncontent-length=200000\n"))
            #expect(postText.hasSuffix("body=" + payload))

            let empty = try await transport.send(HTTPRequestData(method: "POST", url: URL(string: "\(url)/v1/empty")!))
            #expect(try await Self.text(empty).contains("content-length=0\n"))
        }
    }

    @Test("a large Content-Length body arrives whole, over many reads")
    func largeContentLengthBody() async throws {
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await withStubServer({ _ in HTTPResponse(status: .ok, bytes: bytes) }) { _, url in
            let response = try await SocketTransport().send(HTTPRequestData(method: "GET", url: url))
            #expect(response.headers["Content-Length"] == "3000000")
            let body = try await response.body.collect()
            #expect(body == Data(bytes))
        }
    }

    @Test("a chunked body is decoded, from a streaming handler and from a raw answer with extensions and trailers")
    func chunkedBodies() async throws {
        try await withStubServer({ _ in
            .stream(
                AsyncStream { continuation in
                    for part in ["first ", "second ", String(repeating: "x", count: 100_000)] { continuation.yield(Array(part.utf8)) }
                    continuation.finish()
                })
        }) { _, url in
            let response = try await SocketTransport().send(HTTPRequestData(method: "GET", url: url))
            #expect(response.headers["Transfer-Encoding"] == "chunked")
            #expect(try await Self.text(response) == "first second " + String(repeating: "x", count: 100_000))
        }

        // An interim 100 answer first, chunk extensions, upper-case hex, a trailer, and bytes after the end.
        let raw = try RawServer([
            .answer(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Kind: raw\r\n\r\n"
                    + "5;name=value\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\nignored")
        ])
        defer { raw.stop() }
        let response = try await SocketTransport().send(HTTPRequestData(method: "GET", url: URL(string: "http://127.0.0.1:\(raw.port)/")!))
        #expect(response.status == 201)
        #expect(response.headers["X-Kind"] == "raw")
        #expect(try await Self.text(response) == "hello, chunked!")
    }

    @Test("a body without length runs until the server closes; HEAD and 204 have none")
    func untilCloseAndEmptyBodies() async throws {
        let raw = try RawServer([
            .answer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it, until the end"),
            .answer("HTTP/1.1 204 No Content\r\n\r\n"),
            .answer("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n"),
        ])
        defer { raw.stop() }
        let url = URL(string: "http://127.0.0.1:\(raw.port)/")!
        let transport = SocketTransport()
        #expect(try await Self.text(transport.send(HTTPRequestData(method: "GET", url: url))) == "all of it, until the end")
        let noContent = try await transport.send(HTTPRequestData(method: "DELETE", url: url))
        #expect(noContent.status == 204)
        #expect(try await Self.text(noContent).isEmpty)
        let head = try await transport.send(HTTPRequestData(method: "HEAD", url: url))
        #expect(head.headers["Content-Length"] == "42")
        #expect(try await Self.text(head).isEmpty)
    }

    @Test("a host name resolves, trying its addresses in turn")
    func hostName() async throws {
        try await withStubServer(Self.echo) { _, url in
            // localhost may resolve to ::1 first, where nothing listens: the transport goes on to 127.0.0.1.
            let byName = try await SocketTransport().send(
                HTTPRequestData(method: "GET", url: URL(string: "http://localhost:\(url.port!)/named")!))
            #expect(try await Self.text(byName).hasPrefix("GET /named\nhost=localhost:\(url.port!)"))
        }
    }

    @Test("an IPv6 literal in brackets connects over IPv6", .enabled(if: loopbackIPv6Works(), "this machine has no IPv6 loopback"))
    func ipv6() async throws {
        var configuration = HTTPServer.Configuration(host: "::1", port: 0)
        configuration.eventLoopCount = 1
        let server = HTTPServer(configuration: configuration, handler: Self.echo)
        try await server.start()
        do {
            let url = URL(string: "http://[::1]:\(server.port)/six")!
            let response = try await SocketTransport().send(HTTPRequestData(method: "GET", url: url))
            #expect(try await Self.text(response).hasPrefix("GET /six\nhost=[::1]:\(server.port)"))
            await server.shutdown()
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// Whether this machine has an IPv6 loopback (some containers have none).
    static func loopbackIPv6Works() -> Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        guard inet_pton(AF_INET6, "::1", &address.sin6_addr) == 1 else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    // MARK: Streaming and cancellation

    @Test("Server-Sent Events reach the reader one by one while the server is still sending")
    func eventsStreamAsSent() async throws {
        let receivedFirst = Gate()
        let sentSecond = Gate()
        try await withStubServer({ _ in
            let (events, continuation) = AsyncStream.makeStream(of: AutoGitHTTP.ServerSentEvent.self)
            let producer = Task {
                continuation.yield(AutoGitHTTP.ServerSentEvent(id: "1", event: "tick", data: "one"))
                try await receivedFirst.wait()
                sentSecond.signal()
                continuation.yield(AutoGitHTTP.ServerSentEvent(id: "2", event: "tick", data: "two"))
                continuation.finish()
            }
            continuation.onTermination = { _ in producer.cancel() }
            return .serverSentEvents(events)
        }) { _, url in
            let response = try await SocketTransport().send(HTTPRequestData(method: "GET", url: url.appending(path: "events")))
            #expect(response.headers["Content-Type"] == "text/event-stream")
            try await withTimeLimit(.seconds(20), "streaming two events") {
                var received = ""
                for try await chunk in response.body {
                    received += String(decoding: chunk, as: UTF8.self)
                    if received.contains("data: one\n\n"), !receivedFirst.isOpen {
                        #expect(!sentSecond.isOpen, "event 2 was sent before event 1 arrived")
                        #expect(!received.contains("two"))
                        receivedFirst.signal()
                    }
                }
                #expect(received.contains("id: 2\nevent: tick\ndata: two\n\n"))
            }
        }
    }

    @Test("cancelling the reading task, cancelling the body, or dropping it closes the connection", arguments: ["task", "body", "drop"])
    func cancellingABodyClosesTheConnection(_ way: String) async throws {
        let terminated = Gate()
        try await withStubServer({ _ in
            let (events, continuation) = AsyncStream.makeStream(of: AutoGitHTTP.ServerSentEvent.self)
            continuation.yield(AutoGitHTTP.ServerSentEvent(data: "first"))
            continuation.onTermination = { _ in terminated.signal() }
            return .serverSentEvents(events)
        }) { server, url in
            let received = Gate()
            let reader = Task {
                let response = try await SocketTransport().send(HTTPRequestData(method: "GET", url: url))
                if way == "drop" { return }  // the response, and with it the body, goes out of scope unread
                for try await _ in response.body {
                    received.signal()
                    if way == "body" { response.body.cancel() }
                }
            }
            if way == "task" {
                try await received.wait()
                #expect(server.connectionCount == 1)
                reader.cancel()
            }
            try await terminated.wait()
            try await LoopbackTests.eventually("the server seeing the connection go") { server.connectionCount == 0 }
            _ = await reader.result
        }
    }

    @Test("cancelling a request still waiting for its answer throws CancellationError and closes the connection")
    func cancellingBeforeTheHead() async throws {
        let server = try RawServer([.silence])
        defer { server.stop() }
        let request = HTTPRequestData(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/")!)
        let sender = Task { try await SocketTransport().send(request) }
        try await LoopbackTests.eventually("the server accepting the connection") { server.connectionCount == 1 }
        sender.cancel()
        await #expect(throws: CancellationError.self) { try await sender.value }
        try await LoopbackTests.eventually("the server seeing the connection close") { server.closedByClient == 1 }
    }

    @Test("a server silent for longer than the idle timeout fails the request with URLError.timedOut and is hung up on")
    func idleTimeout() async throws {
        let server = try RawServer([.silence])
        defer { server.stop() }
        let request = HTTPRequestData(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/")!, idleTimeout: .milliseconds(200))
        do {
            _ = try await SocketTransport().send(request)
            Issue.record("no timeout")
        } catch let error as URLError {
            #expect(error.code == .timedOut)
            #expect(AutoGitError.wrapping(error).code == .timedOut)
        }
        try await LoopbackTests.eventually("the server seeing the connection close") { server.closedByClient == 1 }
    }

    // MARK: Failures, as the SDK sees them

    @Test("a refused connection is SERVER_UNREACHABLE through the client")
    func refused() async throws {
        let url = URL(string: "http://127.0.0.1:\(try closedLoopbackPort())")!
        do {
            _ = try await SocketTransport().send(HTTPRequestData(method: "GET", url: url))
            Issue.record("no error")
        } catch let error as URLError {
            #expect(error.code == .cannotConnectToHost)
            #expect(error.localizedDescription.contains("Could not connect to 127.0.0.1:\(url.port!)"))
        }
        var client = AutoGitClient(baseURL: url, transport: SocketTransport())
        let sleeper = SleepRecorder()
        client.sleep = { try await sleeper.sleep($0) }
        do {
            _ = try await client.runners.get("r1")
            Issue.record("no error")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.code == .serverUnreachable)
            #expect(!sleeper.recorded.isEmpty, "an unreachable server is retried for a GET")
        }
    }

    @Test("a body cut short is CONNECTION_LOST; a reset mid-body makes a GET be sent again")
    func lostMidBody() async throws {
        let body = LoopbackTests.runnerJSON
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let half = head + body.prefix(10)

        // The server closes (FIN) after half the body: the head arrives, then the body fails.
        let truncating = try RawServer([.answer(half)])
        defer { truncating.stop() }
        let response = try await SocketTransport().send(
            HTTPRequestData(method: "GET", url: URL(string: "http://127.0.0.1:\(truncating.port)/")!))
        #expect(response.status == 200)
        do {
            _ = try await response.body.collect()
            Issue.record("no error")
        } catch let error as URLError {
            #expect(error.code == .networkConnectionLost)
            #expect(AutoGitError.lostConnection(error).code == .connectionLost)
        }

        // The server resets after half the body, then answers whole: a GET gets its runner on the second attempt.
        let resetting = try RawServer([.partial(half), .answer(head + body)])
        defer { resetting.stop() }
        let url = URL(string: "http://127.0.0.1:\(resetting.port)")!
        let runner = try await LoopbackTests.client(url, over: .socket).runners.get("r1")
        #expect(runner.id == "r1")
        #expect(resetting.connectionCount == 2)

        // A POST is not sent again: the reset surfaces as CONNECTION_LOST.
        let resettingPost = try RawServer([.partial(half), .answer(head + body)])
        defer { resettingPost.stop() }
        let postURL = URL(string: "http://127.0.0.1:\(resettingPost.port)")!
        do {
            _ = try await LoopbackTests.client(postURL, over: .socket).jobs.submit(
                JobSpec(name: "t", steps: [JobStep(name: "s", run: "echo")]))
            Issue.record("no error")
        } catch {
            #expect(error.code == .connectionLost)
        }
        #expect(resettingPost.connectionCount == 1)
    }

    @Test("an answer that is not HTTP/1.x, or a head over the limit, is a bad server response")
    func badAnswers() async throws {
        let raw = try RawServer([
            .answer("SSH-2.0-OpenSSH_9.6\r\n\r\n"),
            .answer("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n"),
            .answer("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "b", count: 5000) + "\r\n\r\n"),
            .answer(""),
        ])
        defer { raw.stop() }
        let url = URL(string: "http://127.0.0.1:\(raw.port)/")!
        let transport = SocketTransport(configuration: .init(maxResponseHeadBytes: 2048))
        for expected in [URLError.Code.badServerResponse, .badServerResponse, .badServerResponse, .networkConnectionLost] {
            do {
                _ = try await transport.send(HTTPRequestData(method: "GET", url: url))
                Issue.record("no error, expected \(expected)")
            } catch let error as URLError {
                #expect(error.code == expected)
            }
        }
    }

    @Test("https and other schemes are refused as invalid requests, as are headers with line breaks")
    func invalidRequests() async throws {
        let client = AutoGitClient(baseURL: URL(string: "https://127.0.0.1:1")!, transport: SocketTransport())
        do {
            _ = try await client.system.health()
            Issue.record("no error")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(error.message.contains("https://"))
        }
        let injected = HTTPRequestData(method: "GET", url: URL(string: "http://127.0.0.1:1/")!, headers: ["X-Evil": "a\r\nX-Injected: b"])
        await #expect(throws: AutoGitError.self) { try await SocketTransport().send(injected) }
        #expect(SocketTransport.supports(URL(string: "http://example.com")!))
        #expect(!SocketTransport.supports(URL(string: "https://example.com")!))
    }

    @Test("an unknown host maps to URLError.cannotFindHost, which the SDK calls SERVER_UNREACHABLE")
    func unknownHostMapping() throws {
        // Resolving a name that does not exist would ask DNS, which tests do not reach: check the mapping itself.
        let request = try SocketRequest(
            HTTPRequestData(method: "GET", url: URL(string: "http://no-such-host.invalid:8080/")!), configuration: .init())
        let error = SocketExchange(request: request).urlError(.unknownHost("no-such-host.invalid: Name or service not known"))
        #expect(error.code == .cannotFindHost)
        #expect(AutoGitError.wrapping(error).code == .serverUnreachable)
        #expect(AutoGitError.wrapping(error).isTransient)
    }
}

/// The response head parser and the chunked decoder, on bytes in hand.
@Suite("Reading HTTP/1.x responses")
struct HTTPResponseReadingTests {
    @Test("a head is found wherever its blank line falls, and parsed into status and fields")
    func heads() throws {
        let text = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nX-Empty:\r\nX-Spaced:   a b  \r\n\r\nbody"
        let bytes = Array(text.utf8)
        let end = try #require(HTTPResponseHead.end(in: bytes))
        #expect(end == bytes.count - 4)
        for split in 1..<end {
            // Incomplete prefixes have no end; scanning resumes correctly from a later offset.
            #expect(HTTPResponseHead.end(in: Array(bytes[0..<min(split, end - 1)])) == nil)
            #expect(HTTPResponseHead.end(in: bytes, from: max(0, min(split, end - 4) - 3)) == end)
        }
        let head = try HTTPResponseHead.parse(bytes[0..<end])
        #expect(head.status == 404)
        #expect(head.headers.fields.map(\.name) == ["Content-Type", "X-Empty", "X-Spaced"])
        #expect(head.headers["x-spaced"] == "a b")
        #expect(head.headers["X-Empty"] == "")
        #expect(try HTTPResponseHead.parse(Array("HTTP/1.0 200\r\n\r\n".utf8)[...]).status == 200)
    }

    @Test(
        "malformed heads are refused",
        arguments: [
            "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 999 What\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
            "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        ])
    func malformedHeads(_ text: String) {
        #expect(throws: HTTPResponseHead.Malformed.self) { try HTTPResponseHead.parse(Array(text.utf8)[...]) }
    }

    @Test("the body's framing follows the request method, the status, Transfer-Encoding and Content-Length")
    func framing() throws {
        func head(_ status: Int, _ fields: [(String, String)]) throws -> HTTPResponseHead {
            let lines = fields.map { "\($0.0): \($0.1)\r\n" }.joined()
            return try HTTPResponseHead.parse(Array("HTTP/1.1 \(status) X\r\n\(lines)\r\n".utf8)[...])
        }
        #expect(try head(200, [("Content-Length", "12")]).framing(requestMethod: "GET") == .length(12))
        #expect(try head(200, [("Content-Length", "12")]).framing(requestMethod: "HEAD") == HTTPResponseHead.BodyFraming.none)
        #expect(try head(204, []).framing(requestMethod: "DELETE") == HTTPResponseHead.BodyFraming.none)
        #expect(try head(304, [("Content-Length", "5")]).framing(requestMethod: "GET") == HTTPResponseHead.BodyFraming.none)
        #expect(try head(200, [("Transfer-Encoding", "gzip, Chunked"), ("Content-Length", "3")]).framing(requestMethod: "GET") == .chunked)
        #expect(try head(200, [("Transfer-Encoding", "gzip")]).framing(requestMethod: "GET") == .untilClose)
        #expect(try head(200, []).framing(requestMethod: "GET") == .untilClose)
        #expect(try head(200, [("Content-Length", "7, 7")]).framing(requestMethod: "GET") == .length(7))
        for bad in ["7, 8", "-1", "0x10", "", "99999999999999999999"] {
            #expect(throws: HTTPResponseHead.Malformed.self) { try head(200, [("Content-Length", bad)]).framing(requestMethod: "GET") }
        }
    }

    @Test("a chunked body decodes the same however its bytes are split")
    func chunkedSplits() throws {
        let wire = Array("4\r\nWiki\r\n7;x=\"y\"\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\nExpires: never\r\n\r\nEXTRA".utf8)
        for size in [1, 2, 3, 5, 8, 13, wire.count] {
            var decoder = ChunkedBodyDecoder()
            var output: [UInt8] = []
            var index = 0
            while index < wire.count, !decoder.isComplete {
                output += try decoder.decode(Array(wire[index..<min(wire.count, index + size)]))
                index += size
            }
            #expect(decoder.isComplete)
            #expect(String(decoding: output, as: UTF8.self) == "Wikipedia in \r\nchunks.")
        }
        for bad in ["zz\r\n", "4\r\nWikiXX", String(repeating: "1", count: ChunkedBodyDecoder.maxLineBytes + 1)] {
            var decoder = ChunkedBodyDecoder()
            #expect(throws: HTTPResponseHead.Malformed.self) { _ = try decoder.decode(Array(bad.utf8)) }
        }
    }
}
