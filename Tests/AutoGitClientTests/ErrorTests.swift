import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

/// Makes one GET that answers `response` (never retried) and returns the error it throws.
private func error(
    from response: @autoclosure @escaping @Sendable () -> HTTPResponseData, file: String = #filePath, line: Int = #line
) async throws -> AutoGitError {
    let transport = RecordingTransport { _, _ in response() }
    let client = makeClient(transport) { $0.retry = .disabled }
    do {
        _ = try await client.runners.get("runner-7")
    } catch {
        return error
    }
    Issue.record("no error was thrown")
    throw CancellationError()
}

@Suite("AutoGitError from every answer that is not a success")
struct ErrorTests {
    @Test("AutoGit's envelope: code, message, details and request id come from the body")
    func autogitEnvelope() async throws {
        let body =
            #"{"error":{"code":"RUNNER_NOT_FOUND","message":"Runner 'runner-7' not found","#
            + #""details":{"runner_id":"runner-7"},"request_id":"req_01HMX3Q4ZK8F"}}"#
        let error = try await error(from: jsonResponse(404, body, headers: ["X-Request-ID": "req_header"]))
        #expect(error.kind == .server)
        #expect(error.code == .runnerNotFound)
        #expect(error.message == "Runner 'runner-7' not found")
        #expect(error.status == 404)
        #expect(error.details?["runner_id"] == "runner-7")
        #expect(error.requestID == "req_01HMX3Q4ZK8F")
        #expect(error.retryAfter == nil)
        #expect(error.description == "RUNNER_NOT_FOUND: Runner 'runner-7' not found (HTTP 404) [request req_01HMX3Q4ZK8F]")
    }

    @Test("every error example of the contract decodes to its code")
    func contractErrorExamples() async throws {
        let statuses = [
            "BadRequest": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "Conflict": 409, "PayloadTooLarge": 413,
            "Unprocessable": 422, "TooManyRequests": 429, "NotImplemented": 501, "ServiceUnavailable": 503,
        ]
        for (name, status) in statuses {
            let example = try #require(ContractExamples.shared.responses["\(name) application/json"], "no example for \(name)")
            let error = try await error(from: jsonResponse(status, example.text))
            #expect(error.code.rawValue == example["error"]?["code"]?.stringValue, "\(name)")
            #expect(error.message == example["error"]?["message"]?.stringValue, "\(name)")
            #expect(error.status == status)
            #expect(error.kind == (status == 429 ? .rateLimited : .server))
        }
    }

    @Test("LlamaCtl's shape: the message in `error`, code and details beside it")
    func llamactlShape() async throws {
        let seed = try ContractExamples.seed("llamactl/error.json")
        let error = try await error(from: HTTPResponseData(status: 400, body: HTTPBody(seed)))
        #expect(error.kind == .server)
        #expect(error.code == "ERROR_CODE")
        #expect(error.message == "Error message")
        #expect(error.details == "Additional error details")
        #expect(error.status == 400)
    }

    @Test("RustCI's shape: success false with the error object")
    func rustciShape() async throws {
        let seed = try ContractExamples.seed("rustci/error.json")
        let error = try await error(from: HTTPResponseData(status: 404, body: HTTPBody(seed)))
        #expect(error.code == .runnerNotFound)
        #expect(error.message == "Runner with ID 'runner_123' not found")
        #expect(error.details?["runner_id"] == "runner_123")
    }

    @Test("FastAPI's string detail takes its code from the status")
    func fastAPIString() async throws {
        let seed = try ContractExamples.seed("runicorn/error-404.json")
        let error = try await error(from: HTTPResponseData(status: 404, body: HTTPBody(seed)))
        #expect(error.kind == .server)
        #expect(error.code == .notFound)
        #expect(error.message == "Run not found: 20250101_120000_abc123")
    }

    @Test("FastAPI's validation list names each field, and keeps the list in details")
    func fastAPIList() async throws {
        let body =
            #"{"detail":[{"loc":["body","steps",0,"run"],"msg":"field required","type":"value_error.missing"},"#
            + #"{"loc":["query","limit"],"msg":"ensure this value is less than or equal to 500","type":"value_error"}]}"#
        let error = try await error(from: jsonResponse(422, body))
        #expect(error.code == .validationFailed)
        #expect(error.message == "body.steps.0.run: field required; query.limit: ensure this value is less than or equal to 500")
        #expect(error.details?["errors"]?.arrayValue?.count == 2)
    }

    @Test("FastAPI's rate limit carries retry_after in the body when there is no header")
    func fastAPIRateLimit() async throws {
        let seed = try ContractExamples.seed("runicorn/error-429.json")
        let error = try await error(from: HTTPResponseData(status: 429, body: HTTPBody(seed)))
        #expect(error.kind == .rateLimited)
        #expect(error.code == .rateLimitExceeded)
        #expect(error.retryAfter == .seconds(45))
    }

    @Test("a 429 with Retry-After is rate limiting with the wait, in seconds or as an HTTP date")
    func rateLimited() async throws {
        let envelope = #"{"error":{"code":"RATE_LIMIT_EXCEEDED","message":"Too many requests"}}"#
        let seconds = try await error(from: jsonResponse(429, envelope, headers: ["Retry-After": "30", "X-RateLimit-Remaining": "0"]))
        #expect(seconds.kind == .rateLimited)
        #expect(seconds.code == .rateLimitExceeded)
        #expect(seconds.retryAfter == .seconds(30))
        #expect(seconds.status == 429)
        let date = Date().addingTimeInterval(120)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let dated = try await error(from: HTTPResponseData(status: 429, headers: ["Retry-After": formatter.string(from: date)]))
        #expect(dated.kind == .rateLimited)
        #expect(dated.code == "HTTP_429")
        let wait = try #require(dated.retryAfter)
        #expect(wait > .seconds(100) && wait <= .seconds(120))
    }

    @Test("a status without a body is an HTTP error named by its status; the header's request id is kept")
    func statusWithoutBody() async throws {
        let error = try await error(from: HTTPResponseData(status: 500, headers: ["X-Request-ID": "req_9"]))
        #expect(error.kind == .http)
        #expect(error.code == "HTTP_500")
        #expect(error.message == "HTTP 500")
        #expect(error.status == 500)
        #expect(error.requestID == "req_9")
        #expect(error.bodyExcerpt == nil)
        #expect(error.details == nil)
    }

    @Test("a proxy's HTML page is an HTTP error whose message and excerpt show the page")
    func htmlErrorPage() async throws {
        let page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        let error = try await error(from: HTTPResponseData(status: 502, headers: ["Content-Type": "text/html"], body: HTTPBody(page)))
        #expect(error.kind == .http)
        #expect(error.code == "HTTP_502")
        #expect(error.message == "HTTP 502: \(page)")
        #expect(error.bodyExcerpt == page)
    }

    @Test("a success whose body does not decode is a decoding error naming the field, with the body's start")
    func decodingFailure() async throws {
        let body = #"{"id":"r1","name":"gpu-1","status":"idle","labels":"cuda"}"#
        let error = try await error(from: jsonResponse(200, body, headers: ["X-Request-ID": "req_5"]))
        #expect(error.kind == .decoding)
        #expect(error.code == .decodingFailed)
        #expect(error.status == 200)
        #expect(error.requestID == "req_5")
        #expect(error.bodyExcerpt == body)
        #expect(error.message.contains("labels"))
        #expect(error.underlyingError is DecodingError)
    }

    @Test("a decoding error keeps only the first 500 bytes of a long body")
    func decodingExcerptIsShort() async throws {
        let body = "[" + String(repeating: "1,", count: 2000) + "1]"
        let error = try await error(from: jsonResponse(200, body))
        #expect(error.kind == .decoding)
        #expect(error.bodyExcerpt?.utf8.count == 500)
        #expect(body.hasPrefix(error.bodyExcerpt ?? "-"))
    }

    @Test("a body larger than the configured maximum fails without being retried")
    func bodyTooLarge() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(200, Fixture.page(Fixture.runner, Fixture.runner)) }
        let client = makeClient(transport) { $0.maxResponseBytes = 16 }
        await #expect(throws: AutoGitError.self) {
            _ = try await client.runners.listPage()
        }
        do {
            _ = try await client.runners.listPage()
        } catch {
            #expect(error.code == .responseTooLarge)
            #expect(error.kind == .decoding)
            #expect(!error.isTransient)
        }
        #expect(transport.count == 2)
    }

    @Test("a refused connection on a closed loopback port is a transport error that says the server is unreachable")
    func connectionRefused() async throws {
        let port = try closedLoopbackPort()
        let client = AutoGitClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!, configuration: .init(retry: .disabled))
        do {
            _ = try await client.system.health()
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.code == .serverUnreachable)
            #expect(error.status == nil)
            #expect((error.underlyingError as? URLError)?.code == .cannotConnectToHost)
            #expect(error.isTransient)
        }
    }

    @Test("errors a transport throws become the client's codes: lost connection, timeout, cancellation")
    func wrappedTransportErrors() {
        #expect(AutoGitError.wrapping(URLError(.networkConnectionLost)).code == .connectionLost)
        #expect(AutoGitError.wrapping(URLError(.cannotFindHost)).code == .serverUnreachable)
        #expect(AutoGitError.wrapping(URLError(.timedOut)).kind == .timedOut)
        #expect(AutoGitError.wrapping(URLError(.cancelled)).code == .cancelled)
        #expect(AutoGitError.wrapping(CancellationError()).kind == .cancelled)
        #expect(AutoGitError.wrapping(URLError(.badURL)).code == .transportFailed)
        #expect(!AutoGitError.wrapping(URLError(.badURL)).isTransient)
        // libcurl reports a body cut short as URLError -1; once the head has arrived that is a lost connection.
        let truncated = AutoGitError.lostConnection(URLError(.unknown))
        #expect(truncated.code == .connectionLost)
        #expect(truncated.isTransient)
        #expect(AutoGitError.lostConnection(URLError(.cancelled)).code == .cancelled)
    }
}
