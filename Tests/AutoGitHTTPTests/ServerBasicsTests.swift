import AutoGitHTTP
import Foundation
import Testing

@Suite("basic requests over loopback")
struct ServerBasicsTests {
    @Test("GET answers with status, Date, Content-Length and Content-Type")
    func simpleGet() async throws {
        try await withServer { server in
            #expect(server.port > 0)
            let client = try RawClient(port: server.port)
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.header("Content-Length") == "5")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            let date = try #require(response.header("Date"))
            #expect(date.hasSuffix(" GMT") && date.count == 29)
        }
    }

    @Test("POST with Content-Length echoes the body")
    func postContentLength() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello world")
        }
    }

    @Test("POST with a chunked body and trailers is decoded")
    func postChunked() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n"
            )
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello world")
            #expect(response.header("X-Trailer-Count") == "1")
        }
    }

    @Test("a keep-alive connection serves several requests")
    func keepAlive() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            for id in 1...5 {
                try await client.send("GET /v1/runners/\(id)/status HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.text == "runner=\(id)")
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test("pipelined requests in one write are answered in order")
    func pipelining() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send(
                "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/runners/2/status HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            #expect(try await client.readResponse().text == "slow done")
            #expect(try await client.readResponse().text == "runner=2")
            #expect(try await client.readResponse().text == "abc")
        }
    }

    @Test("Connection: close is honoured and the server closes after the response")
    func connectionClose() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.header("Connection") == "close")
            #expect(try await client.waitForClose().closed)
        }
    }

    @Test("HTTP/1.0 closes by default and keeps alive on request")
    func http10() async throws {
        try await withServer { server in
            let first = try RawClient(port: server.port)
            try await first.send("GET /hello HTTP/1.0\r\n\r\n")
            #expect(try await first.readResponse().text == "hello")
            #expect(try await first.waitForClose().closed)

            let second = try RawClient(port: server.port)
            try await second.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try await second.readResponse()
            #expect(response.header("Connection") == "keep-alive")
            try await second.send("GET /hello HTTP/1.0\r\n\r\n")
            #expect(try await second.readResponse().text == "hello")
        }
    }

    @Test("Expect: 100-continue gets 100 before the body is sent")
    func expectContinue() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await client.readResponse()
            #expect(interim.status == 100)
            try await client.send("data")
            let final = try await client.readResponse()
            #expect(final.status == 200)
            #expect(final.text == "data")
        }
    }

    @Test("Expect: 100-continue with an oversized body gets 413 and no 100")
    func expectContinueTooLarge() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 10 }) { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413)
        }
    }

    @Test("an unknown expectation gets 417")
    func expectationFailed() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: teapot\r\n\r\n")
            #expect(try await client.readResponse().status == 417)
        }
    }

    @Test("HEAD is served by the GET route with headers and no body")
    func head() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await client.readResponse(head: true)
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "5")
            // The next response parses cleanly only if HEAD sent no body bytes.
            try await client.send("GET /v1/runners/7/status HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "runner=7")
        }
    }

    @Test("404 for unknown paths, 405 with Allow for known paths, automatic OPTIONS")
    func notFoundAndMethodNotAllowed() async throws {
        try await withServer(middleware: [ErrorMiddleware()]) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            let missing = try await client.readResponse()
            #expect(missing.status == 404)
            #expect(missing.text.contains("\"NOT_FOUND\""))
            try await client.send("PUT /v1/runners/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            let wrongMethod = try await client.readResponse()
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "DELETE, OPTIONS")
            try await client.send("OPTIONS /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let options = try await client.readResponse()
            #expect(options.status == 204)
            #expect(options.header("Allow") == "GET, HEAD, OPTIONS")
        }
    }

    @Test("path parameters, catch-all and query decoding")
    func parametersAndQuery() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /v1/runners/a%20b/status HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "runner=a b")
            try await client.send("GET /v1/instances/llama/proxy/v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "llama|v1/chat/completions")
            try await client.send("GET /v1/instances/llama/proxy HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "llama|")
            try await client.send("GET /query?tag=a&tag=b%20c&q=x+y&empty=&flag HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "tag=a;tag=b c;q=x y;empty=;flag=")
        }
    }

    @Test("204 responses carry no body or Content-Length")
    func noContent() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("DELETE /v1/runners/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 204)
            #expect(response.header("Content-Length") == nil)
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().text == "hello")
        }
    }

    @Test("a half-closed client still gets its answer, then the server closes")
    func halfClose() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            #expect(try await client.readResponse().text == "slow done")
            #expect(try await client.readResponse().text == "hello")
            #expect(try await client.waitForClose().closed)
        }
    }

    @Test("a handler still waiting learns that its client hung up")
    func clientHangUp() async throws {
        let (told, tell) = AsyncStream.makeStream(of: Bool.self)
        var router = Router()
        router.get("/wait") { request in
            await request.clientHangUp.wait()
            tell.yield(request.clientHangUp.hasHappened)
            return .text("left")
        }
        try await withServer(router: router) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
            client.closeNow()
            // Bounded, so a missing signal fails the test instead of hanging it.
            let noticed = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await value in told { return value }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(30))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            #expect(noticed)
        }
    }

    @Test("IPv6 loopback works")
    func ipv6() async throws {
        try await withServer(host: "::1") { server in
            let client = try RawClient(host: "::1", port: server.port)
            try await client.send("GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            #expect(try await client.readResponse().text == "hello")
        }
    }

    @Test("a second server on the same fixed port fails to start")
    func portInUse() async throws {
        try await withServer { server in
            let other = HTTPServer(configuration: .init(port: server.port), handler: { _ in .text("x") })
            await #expect(throws: HTTPServerError.self) { try await other.start() }
        }
    }
}
