import AutoGitCore
import AutoGitHTTP

/// Turns every error into the API's envelope `{"error": {"code", "message", "details", "request_id"}}` with a
/// stable code: a ``ServerError`` keeps its status and code; the HTTP layer's own errors get the API's codes
/// (`INVALID_REQUEST`, `VALIDATION_FAILED`, `RATE_LIMIT_EXCEEDED`); anything else is a 500 `INTERNAL_ERROR` whose
/// text is logged, never sent.
struct APIErrorMiddleware: Middleware {
    let log: @Sendable (String) -> Void

    func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        do {
            return try await next(request)
        } catch let error as ServerError {
            var response = error.httpError.response(requestID: request.requestID)
            if error.status == 401 { response.headers["WWW-Authenticate"] = "Bearer realm=\"autogit\"" }
            return response
        } catch var error as HTTPError {
            error.code = Self.apiCode(for: error)
            return error.response(requestID: request.requestID)
        } catch is CancellationError {
            return ServerError(.serviceUnavailable, status: 503, "The request was cancelled").httpError.response(
                requestID: request.requestID)
        } catch {
            log("internal error on \(request.method) \(request.path) (request \(request.requestID ?? "-")): \(error)")
            return ServerError(.internalError, status: 500, "An internal error occurred").httpError.response(requestID: request.requestID)
        }
    }

    static func apiCode(for error: HTTPError) -> String {
        switch error.status.code {
        case 400: ErrorCode.invalidRequest.rawValue
        case 422: ErrorCode.validationFailed.rawValue
        case 429: ErrorCode.rateLimitExceeded.rawValue
        case 501: ErrorCode.notImplemented.rawValue
        default: error.code
        }
    }
}
