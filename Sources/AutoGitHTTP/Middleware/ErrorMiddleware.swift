/// Turns thrown errors into the JSON error envelope. An `HTTPError` keeps its status, code, message and details;
/// anything else becomes 500 `INTERNAL_ERROR` with a generic message, so internals never leak to the client.
public struct ErrorMiddleware: Middleware {
    /// Called with every error that is not an `HTTPError`, for logging; the client never sees it.
    public typealias Reporter = @Sendable (any Error, HTTPRequest) -> Void

    let report: Reporter?

    public init(report: Reporter? = nil) {
        self.report = report
    }

    public func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        do {
            return try await next(request)
        } catch {
            if !(error is HTTPError) { report?(error, request) }
            return Self.response(for: error, requestID: request.requestID)
        }
    }

    /// The envelope response for any error; used by the server too as the last resort.
    static func response(for error: any Error, requestID: String?) -> HTTPResponse {
        if let error = error as? HTTPError {
            return error.response(requestID: requestID)
        }
        if error is CancellationError {
            return HTTPError(.serviceUnavailable, code: "CANCELLED", message: "The request was cancelled.").response(requestID: requestID)
        }
        return HTTPError(.internalServerError, code: "INTERNAL_ERROR", message: "An internal error occurred.")
            .response(requestID: requestID)
    }
}
