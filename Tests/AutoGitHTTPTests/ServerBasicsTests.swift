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
}
