import AutoGitHTTP
import Foundation
import Testing

@Suite("limits and timeouts", .serialized)
struct ServerLimitsTests {
    @Test("headers over maxHeaderBytes get 431")
    func hugeHeaders() async throws {
        try await withServer(configure: { $0.maxHeaderBytes = 1024 }) { server in
            let client = try RawClient(port: server.port)
            let filler = String(repeating: "a", count: 2000)
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)\r\n\r\n")
            #expect(try await client.readResponse().status == 431)
            #expect(try await client.waitForClose().closed)
        }
    }

    @Test("an endless head without a blank line gets 431, not unbounded buffering")
    func endlessHead() async throws {
        try await withServer(configure: { $0.maxHeaderBytes = 4096 }) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /hello HTTP/1.1\r\n")
            let line = Array("X-Filler: \(String(repeating: "b", count: 1000))\r\n".utf8)
            for _ in 0..<10 { try? await client.send(line) }
            #expect(try await client.readResponse().status == 431)
        }
    }

    @Test("a declared body over maxBodyBytes gets 413 before it is read")
    func declaredBodyTooLarge() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 1000 }) { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            #expect(try await client.readResponse().status == 413)
            #expect(try await client.waitForClose().closed)
        }
    }

    @Test("a chunked body growing over maxBodyBytes gets 413")
    func chunkedBodyTooLarge() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 1000 }) { server in
            let client = try RawClient(port: server.port)
            let chunk = "1f4\r\n" + String(repeating: "c", count: 500) + "\r\n"
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + chunk)
            #expect(try await client.readResponse().status == 413)
        }
    }

    @Test("a body exactly at the limit is accepted")
    func bodyAtLimit() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 1000 }) { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "d", count: 1000))
            #expect(try await client.readResponse().body.count == 1000)
        }
    }

    @Test("a client trickling headers slower than the header timeout is cut off (slowloris)")
    func slowloris() async throws {
        try await withServer(configure: { $0.headerReadTimeout = .milliseconds(300) }) { server in
            let client = try RawClient(port: server.port, timeout: 30)
            try await client.send("GET /hello HTTP/1.1\r\n")
            // One byte every 100 ms for up to 20 s: were the timeout renewed by each byte, this would outlast it.
            let trickle = Task {
                for _ in 0..<200 {
                    try? await Task.sleep(for: .milliseconds(100))
                    if Task.isCancelled { return false }
                    try? await client.send("X")
                }
                return true
            }
            let outcome = try await client.waitForClose()
            trickle.cancel()
            #expect(outcome.closed)
            #expect(String(decoding: outcome.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 408"))
            #expect(await trickle.value == false, "the server waited for the whole trickle")
        }
    }

    @Test("a connection that sends nothing is closed after the header timeout")
    func silentConnection() async throws {
        try await withServer(configure: { $0.headerReadTimeout = .milliseconds(200) }) { server in
            let client = try RawClient(port: server.port)
            let outcome = try await client.waitForClose()
            #expect(outcome.closed)
            #expect(outcome.bytes.isEmpty)
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleTimeout() async throws {
        try await withServer(configure: { $0.idleTimeout = .milliseconds(300) }) { server in
            let client = try RawClient(port: server.port)
            // Measured from before the request: the server's idle clock starts later, once the response is out.
            let start = ContinuousClock.now
            try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
            let outcome = try await client.waitForClose()
            #expect(outcome.closed)
            #expect(outcome.bytes.isEmpty)
            // Not before its time; the client's 5 s read timeout bounds the wait (the default would be 60 s).
            #expect(ContinuousClock.now - start >= .milliseconds(300))
        }
    }

    @Test("connections over maxConnections get 503 and a close; freed slots are reused")
    func maxConnections() async throws {
        try await withServer(configure: { $0.maxConnections = 2 }) { server in
            let first = try RawClient(port: server.port)
            let second = try RawClient(port: server.port)
            for client in [first, second] {
                try await client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await client.readResponse().status == 200)
            }
            let third = try RawClient(port: server.port)
            try await third.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let refused = try await third.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(try await third.waitForClose().closed)

            first.closeNow()
            var served = false
            for _ in 0..<50 where !served {
                try await Task.sleep(for: .milliseconds(20))
                let fourth = try RawClient(port: server.port)
                try await fourth.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                served = try await fourth.readResponse().status == 200
            }
            #expect(served)
        }
    }

    @Test("a handler slower than requestTimeout is answered 503")
    func requestTimeout() async throws {
        try await withServer(configure: { $0.requestTimeout = .milliseconds(100) }) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 503)
            #expect(response.text.contains("REQUEST_TIMEOUT"))
        }
    }
}
