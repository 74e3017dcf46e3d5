import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitClient

/// An in-process transport that records every request and answers from a closure.
final class RecordingTransport: Transport {
    typealias Responder = @Sendable (_ request: HTTPRequestData, _ index: Int) async throws -> HTTPResponseData

    private let log = Mutex<[HTTPRequestData]>([])
    private let responder: Responder

    init(_ responder: @escaping Responder) {
        self.responder = responder
    }

    /// Answers every request with `status` and `body`.
    convenience init(status: Int = 200, body: String = "{}", headers: HTTPHeaders = ["Content-Type": "application/json"]) {
        self.init { _, _ in HTTPResponseData(status: status, headers: headers, body: HTTPBody(body)) }
    }

    var requests: [HTTPRequestData] { log.withLock { $0 } }
    var count: Int { log.withLock { $0.count } }

    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        let index = log.withLock { log in
            log.append(request)
            return log.count - 1
        }
        return try await InProcessTransport { try await self.responder($0, index) }.send(request)
    }
}

/// Records the waits a client asks for; sleeps them only when `sleepsForReal` (loopback tests that show a server
/// really saw the pause).
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])
    let sleepsForReal: Bool

    init(sleepsForReal: Bool = false) {
        self.sleepsForReal = sleepsForReal
    }

    var recorded: [Duration] { waits.withLock { $0 } }

    func sleep(_ duration: Duration) async throws {
        waits.withLock { $0.append(duration) }
        try Task.checkCancellation()
        if sleepsForReal { try await Task.sleep(for: duration) }
    }
}

let testBaseURL = URL(string: "http://autogit.test")!

/// A client of `testBaseURL` over `transport`; with `sleeper`, the client records its waits instead of sleeping.
func makeClient(
    _ transport: some Transport, credentials: AutoGitClient.Credentials = .bearer("secret-token"), sleeper: SleepRecorder? = nil,
    configure: (inout AutoGitClient.Configuration) -> Void = { _ in }
) -> AutoGitClient {
    var configuration = AutoGitClient.Configuration()
    configure(&configuration)
    var client = AutoGitClient(baseURL: testBaseURL, credentials: credentials, configuration: configuration, transport: transport)
    if let sleeper {
        client.sleep = { try await sleeper.sleep($0) }
    }
    return client
}

/// A `text/event-stream` answer whose body arrives in `chunks`, then ends (or fails with `failure`).
func eventStreamResponse(_ chunks: [String], failing failure: (any Error)? = nil) -> HTTPResponseData {
    let (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
    for chunk in chunks { continuation.yield(Data(chunk.utf8)) }
    continuation.finish(throwing: failure)
    return HTTPResponseData(status: 200, headers: ["Content-Type": "text/event-stream"], body: HTTPBody(stream: stream))
}

func jsonResponse(_ status: Int = 200, _ body: String, headers: HTTPHeaders = [:]) -> HTTPResponseData {
    var all = headers
    if all["Content-Type"] == nil { all["Content-Type"] = "application/json" }
    return HTTPResponseData(status: status, headers: all, body: HTTPBody(body))
}

extension HTTPRequestData {
    /// The path and query as sent (`/v1/runners?status=idle`).
    var target: String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let query = components?.percentEncodedQuery.map { "?" + $0 } ?? ""
        return (components?.percentEncodedPath ?? "") + query
    }

    var bodyText: String? { body.map { String(decoding: $0, as: UTF8.self) } }
}

/// JSON answers the tests decode, one per model.
enum Fixture {
    static let time = "2024-01-15T10:30:00Z"
    static let runner = #"{"id":"r1","name":"gpu-1","status":"idle","labels":["cuda"]}"#
    static let job = #"{"id":"j1","name":"train","steps":[{"name":"s","run":"echo"}],"status":"queued","created_at":"\#(time)"}"#
    static let gpu = #"{"id":"r1:gpu0","index":0,"vendor":"nvidia","model":"A100","memory_total_mb":81920}"#
    static let instance = #"{"name":"llama","status":"running","backend":"llama-server"}"#
    static let action = #"{"success":true,"message":"ok"}"#
    static let token = #"{"id":"t1","name":"ci","role":"operator","created_at":"\#(time)"}"#
    static let session = #"{"token":"jwt","expires_at":"\#(time)","token_type":"Bearer"}"#
    static let provider = #"{"name":"local","type":"local","offers":[{"id":"cpu","gpu_count":0}]}"#
    static let run = #"{"id":"run1","project":"p","name":"n","status":"running","created_at":"\#(time)"}"#
    static let project = #"{"name":"p","run_count":2}"#
    static let artifact = #"{"name":"model","type":"model","latest_version":1}"#
    static let version = #"{"name":"model","version":"v1","size_bytes":3,"sha256":"abc"}"#
    static let webhook = #"{"id":"w1","url":"https://example.com/hook","events":["job_log"],"created_at":"\#(time)"}"#
    static let delivery =
        #"{"id":"d1","webhook_id":"w1","event_id":"7","event_type":"job_log","status":"succeeded","attempts":1,"created_at":"\#(time)"}"#
    static let log = #"{"seq":1,"timestamp":"\#(time)","level":"info","message":"hello"}"#

    static func page(_ items: String..., hasMore: Bool = false) -> String {
        #"{"items":[\#(items.joined(separator: ","))],"total_count":\#(items.count),"has_more":\#(hasMore)}"#
    }
}

/// Makes one call through a recording transport that answers `response`, and returns the request it sent.
func sentRequest(
    answering response: @autoclosure @escaping @Sendable () -> HTTPResponseData = jsonResponse(200, "{}"),
    credentials: AutoGitClient.Credentials = .bearer("secret-token"),
    _ call: (AutoGitClient) async throws -> Void
) async throws -> HTTPRequestData {
    let transport = RecordingTransport { _, _ in response() }
    try await call(makeClient(transport, credentials: credentials))
    return try #require(transport.requests.last)
}

extension HTTPRequestData {
    /// The body as JSON, or nil when it has none or it is not JSON.
    var json: JSONValue? {
        body.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
    }
}
