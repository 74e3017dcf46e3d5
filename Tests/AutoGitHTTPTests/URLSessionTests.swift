import AutoGitHTTP
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("URLSession as a client")
struct URLSessionTests {
    @Test("GET and POST through URLSession")
    func urlSession() async throws {
        try await withServer(middleware: [RequestIDMiddleware(), ErrorMiddleware()]) { server in
            let base = "http://127.0.0.1:\(server.port)"
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            let (data, response) = try await session.data(from: URL(string: "\(base)/hello")!)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "hello")
            #expect(http.value(forHTTPHeaderField: "X-Request-ID") != nil)

            var request = URLRequest(url: URL(string: "\(base)/echo")!)
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"name":"job"}"#.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (echoed, echoResponse) = try await session.data(for: request)
            #expect((echoResponse as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: echoed, as: UTF8.self) == #"{"name":"job"}"#)

            let (missing, missingResponse) = try await session.data(from: URL(string: "\(base)/nope")!)
            #expect((missingResponse as? HTTPURLResponse)?.statusCode == 404)
            #expect(String(decoding: missing, as: UTF8.self).contains("NOT_FOUND"))
        }
    }
}
