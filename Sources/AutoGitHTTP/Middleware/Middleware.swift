/// A stage around request handling: it may change the request, answer early, or change the response or error.
/// Auth, rate limiting, CORS and metrics plug in here.
public protocol Middleware: Sendable {
    func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse
}
