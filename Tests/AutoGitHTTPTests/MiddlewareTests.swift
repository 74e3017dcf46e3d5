import Foundation
import Synchronization
import Testing

@testable import AutoGitHTTP

private struct Boom: Error {}

private func request(_ target: String, method: HTTPMethod = .get, headers: HTTPHeaders = ["Host": "x"]) -> HTTPRequest {
    HTTPRequest(method: method, target: target, headers: headers)
}

private func json(_ response: HTTPResponse) throws -> [String: Any] {
    guard case .bytes(let bytes) = response.body else { return [:] }
    return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
}

@Suite("middleware and router without sockets")
struct MiddlewareTests {
    let router: Router = {
        var router = Router()
        router.get("/ok") { request in .text(request.requestID ?? "none") }
        router.get("/runners/{id}") { request in
            throw HTTPError(
                .notFound, code: "RUNNER_NOT_FOUND", message: "No runner \(request.parameter("id")!).",
                details: ["id": request.parameter("id")!])
        }
        router.get("/boom") { _ in throw Boom() }
        router.get("/runners/register") { _ in .text("literal wins") }
        return router
    }()

    @Test("generated request ids are 16 lowercase hex digits and never repeat")
    func generatedIDsAreUnique() {
        let ids = (0..<20_000).map { _ in RequestIDMiddleware.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 16 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
    }

    @Test("header lookups: counts by name and list tokens, ignoring ASCII case")
    func headerTokens() {
        let headers: HTTPHeaders = ["Host": "a", "connection": "Upgrade, Keep-Alive ", "HOST": "b"]
        #expect(headers.count(of: "host") == 2)
        #expect(headers.count(of: "Hos") == 0)
        #expect(headers.containsToken("keep-alive", for: "Connection"))
        #expect(headers.containsToken("upgrade", for: "CONNECTION"))
        #expect(!headers.containsToken("close", for: "Connection"))
        #expect(!headers.containsToken("keep", for: "Connection"))
    }

    @Test("a sane incoming X-Request-ID is kept and echoed; an insane one is replaced")
    func requestID() async throws {
        let chain = MiddlewareChain([RequestIDMiddleware(), ErrorMiddleware()], responder: router)
        let kept = try await chain.respond(to: request("/ok", headers: ["Host": "x", "X-Request-ID": "abc-123"]))
        #expect(kept.headers["X-Request-ID"] == "abc-123")
        #expect(kept.knownBodyCount == 7)
        let replaced = try await chain.respond(to: request("/ok", headers: ["Host": "x", "X-Request-ID": "bad id\u{7}"]))
        let id = try #require(replaced.headers["X-Request-ID"])
        #expect(id != "bad id\u{7}" && id.count == 16)
    }

    @Test("HTTPError becomes the JSON envelope with details and request id")
    func errorEnvelope() async throws {
        let chain = MiddlewareChain([RequestIDMiddleware(), ErrorMiddleware()], responder: router)
        let response = try await chain.respond(to: request("/runners/42", headers: ["Host": "x", "X-Request-ID": "rid-1"]))
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "application/json")
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["code"] as? String == "RUNNER_NOT_FOUND")
        #expect(error["message"] as? String == "No runner 42.")
        #expect((error["details"] as? [String: String])?["id"] == "42")
        #expect(error["request_id"] as? String == "rid-1")
    }

    @Test("unknown errors become 500 INTERNAL_ERROR without internals, and are reported")
    func unknownError() async throws {
        let reported = Mutex<[String]>([])
        let chain = MiddlewareChain(
            [ErrorMiddleware(report: { error, _ in reported.withLock { $0.append(String(describing: error)) } })], responder: router)
        let response = try await chain.respond(to: request("/boom"))
        #expect(response.status == .internalServerError)
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["code"] as? String == "INTERNAL_ERROR")
        #expect(!(error["message"] as? String ?? "").contains("Boom"))
        #expect(reported.withLock { $0 } == ["Boom()"])
    }

    @Test("the access log writes one line with method, path, status, bytes, duration and request id")
    func accessLog() async throws {
        let lines = Mutex<[String]>([])
        let chain = MiddlewareChain(
            [RequestIDMiddleware(), AccessLogMiddleware(sink: { line in lines.withLock { $0.append(line) } }), ErrorMiddleware()],
            responder: router)
        _ = try await chain.respond(to: request("/ok", headers: ["Host": "x", "X-Request-ID": "r1"]))
        _ = try await chain.respond(to: request("/nowhere", headers: ["Host": "x", "X-Request-ID": "r2"]))
        let logged = lines.withLock { $0 }
        #expect(logged.count == 2)
        #expect(logged[0].contains("GET /ok 200 2 "))
        #expect(logged[0].hasSuffix("ms id=r1"))
        #expect(logged[1].contains("GET /nowhere 404 "))
    }

    @Test("literal segments win over parameters; 405 lists HEAD and OPTIONS")
    func routing() async throws {
        let literal = try await router.respond(to: request("/runners/register"))
        #expect(literal.knownBodyCount == 12)
        await #expect(throws: HTTPError.self) { try await router.respond(to: request("/ok", method: .post)) }
        do {
            _ = try await router.respond(to: request("/ok", method: .post))
        } catch let error as HTTPError {
            #expect(error.status == .methodNotAllowed)
            #expect(error.headers["Allow"] == "GET, HEAD, OPTIONS")
        }
    }

    @Test("query items decode percent escapes and plus, keep repeated keys")
    func queryItems() {
        let decoded = request("/q?a=1&a=2&b=x%20y+z&c=%E2%9C%93&bad=%zz&=v").queryItems
        #expect(decoded.map(\.name) == ["a", "a", "b", "c", "bad", ""])
        #expect(decoded.map(\.value) == ["1", "2", "x y z", "✓", "%zz", "v"])
        #expect(request("http://host:8080/a/b?x=1").path == "/a/b")
    }

    @Test("headers are case-insensitive and setting replaces")
    func headers() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Many": "1"]
        headers.add(name: "x-many", value: "2")
        #expect(headers["content-type"] == "a")
        #expect(headers.values(for: "X-MANY") == ["1", "2"])
        headers["X-Many"] = "3"
        #expect(headers.values(for: "x-many") == ["3"])
        headers["x-many"] = nil
        #expect(!headers.contains("X-Many"))
    }
}

@Suite("parsers and framing without sockets")
struct ParserTests {
    @Test("a head split across reads parses once complete")
    func incrementalHead() throws {
        var parser = HeadParser(maxHeaderBytes: 1024)
        let text = Array("GET /a?b=c HTTP/1.1\r\nHost: x\r\nX-Y:  v  \r\n\r\n".utf8)
        for end in 1..<text.count {
            let result = try text[0..<end].withUnsafeBufferPointer { try parser.parse($0) }
            guard case .incomplete = result else {
                Issue.record("complete too early at \(end)")
                return
            }
        }
        let result = try text.withUnsafeBufferPointer { try parser.parse($0) }
        guard case .complete(let head, let consumed) = result else {
            Issue.record("not complete")
            return
        }
        #expect(consumed == text.count)
        #expect(head.method == .get)
        #expect(head.target == "/a?b=c")
        #expect(head.headers["x-y"] == "v")
    }

    @Test("chunked decoding byte by byte with trailers")
    func chunkedByteByByte() throws {
        var decoder = ChunkedDecoder(maxBodyBytes: 100, maxTrailerBytes: 100)
        let text = Array("4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\nNEXT".utf8)
        var used = 0
        while !decoder.isComplete && used < text.count {
            used += try text[used..<used + 1].withUnsafeBufferPointer { try decoder.feed($0) }
        }
        #expect(String(decoding: decoder.body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(decoder.trailers["expires"] == "never")
        #expect(used == text.count - 4)
    }

    @Test("SSE encoding splits lines and strips breaks from id and event")
    func sseEncoding() {
        let event = ServerSentEvent(id: "a\nb", event: "x\ry", data: "1\r\n2\r3\n", comment: "c1\nc2")
        #expect(String(decoding: event.encoded, as: UTF8.self) == ": c1\n: c2\nid: ab\nevent: xy\ndata: 1\ndata: 2\ndata: 3\ndata: \n\n")
    }

    @Test("Date is IMF-fixdate")
    func imfFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
