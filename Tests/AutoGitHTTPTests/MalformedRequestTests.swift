import AutoGitHTTP
import Foundation
import Testing

@Suite("malformed requests get an error and a close, and the server keeps serving")
struct MalformedRequestTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var raw: [UInt8]
        var status: Int
        var testDescription: String { name }

        init(_ name: String, _ raw: String, _ status: Int = 400) {
            self.name = name
            self.raw = Array(raw.utf8)
            self.status = status
        }

        init(_ name: String, bytes: [UInt8], _ status: Int = 400) {
            self.name = name
            self.raw = bytes
            self.status = status
        }
    }

    static let cases: [Case] = [
        Case("garbage bytes", bytes: [0, 1, 2, 0xFF, 0xFE] + Array("garbage\r\n\r\n".utf8)),
        Case("request line without version", "GET /\r\nHost: x\r\n\r\n"),
        Case("request line with extra spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Case("bad version", "GET / HTTP/1.x\r\nHost: x\r\n\r\n"),
        Case("HTTP/2 over this parser", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        Case("HTTP/1.1 without Host", "GET /hello HTTP/1.1\r\n\r\n"),
        Case("two Host headers", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        Case("space before colon", "GET /hello HTTP/1.1\r\nHost : x\r\n\r\n"),
        Case("header without colon", "GET /hello HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"),
        Case("obsolete line folding", "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n"),
        Case("bare CR in a header value", "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"),
        Case("NUL in a header value", "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n"),
        Case("control character in the target", "GET /he\u{7}llo HTTP/1.1\r\nHost: x\r\n\r\n"),
        Case("negative Content-Length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello"),
        Case("non-numeric Content-Length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5x\r\n\r\nhello"),
        Case("conflicting Content-Length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        Case("conflicting Content-Length list", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!"),
        Case(
            "Content-Length with Transfer-Encoding (smuggling)",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Case("Transfer-Encoding in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Case("unknown transfer coding", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
        Case("gzip then chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
        Case("invalid chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
        Case("negative chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nhello\r\n0\r\n\r\n"),
        Case("0x chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
        Case(
            "overflowing chunk size",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
        Case(
            "chunk data longer than its size",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"),
        Case("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405),
        Case("asterisk target for GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n"),
        Case("authority-form target for GET", "GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ]

    @Test("rejected with the right status and closed", arguments: cases)
    func rejected(_ testCase: Case) async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send(testCase.raw)
            let response = try await client.readResponse()
            #expect(response.status == testCase.status)
            #expect(response.header("Connection") == "close")
            #expect(response.header("Content-Type") == "application/json")
            #expect(try await client.waitForClose().closed)

            let next = try RawClient(port: server.port)
            try await next.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await next.readResponse().text == "hello")
        }
    }

    @Test("a valid request smuggled behind Content-Length is never answered")
    func noSmuggledRequest() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.port)
            try await client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            let first = try await client.readResponse()
            #expect(first.status == 400)
            let rest = try await client.waitForClose()
            #expect(rest.closed)
            #expect(rest.bytes.isEmpty)
        }
    }
}
