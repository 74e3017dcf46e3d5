import AutoGitCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every error the client throws: one struct, so callers switch on ``kind`` or compare ``code`` without matching
/// strings.
///
/// ``code`` is stable. It is the server's code when the server sent one (`RUNNER_NOT_FOUND`), one derived from the
/// HTTP status when the server's error body had none, `HTTP_<status>` when the body was not an error envelope at
/// all, and otherwise one of the client's own: `SERVER_UNREACHABLE` (no connection could be made),
/// `CONNECTION_LOST`, `TRANSPORT_FAILED` (another failure without an answer), `TIMED_OUT`, `CANCELLED`,
/// `DECODING_FAILED`, `RESPONSE_TOO_LARGE`, and the `WEBHOOK_SIGNATURE_…` codes of ``WebhookVerifier``.
///
/// ```swift
/// do {
///     let runner = try await client.runners.get("runner-7")
/// } catch let error as AutoGitError where error.code == .runnerNotFound {
///     print("no such runner (request \(error.requestID ?? "-"))")
/// }
/// ```
public struct AutoGitError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly. New kinds may be added; `switch` with a `default`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case transport, timedOut, cancelled, http, server, rateLimited, decoding, invalidRequest, webhookSignature
        }

        let base: Base

        /// No response: the connection could not be made or was lost.
        public static let transport = Kind(base: .transport)
        /// The request did not complete within its timeout.
        public static let timedOut = Kind(base: .timedOut)
        /// The caller cancelled the request.
        public static let cancelled = Kind(base: .cancelled)
        /// An error status whose body was not an error envelope (a proxy's HTML page, an empty body).
        public static let http = Kind(base: .http)
        /// An error status with the server's error: ``code``, ``message`` and ``details`` come from it.
        public static let server = Kind(base: .server)
        /// 429 Too Many Requests; ``retryAfter`` says how long to wait when the server said.
        public static let rateLimited = Kind(base: .rateLimited)
        /// A success status whose body could not be read: it did not decode (``bodyExcerpt`` shows what arrived), or it
        /// was larger than the configuration's `maxResponseBytes` (`RESPONSE_TOO_LARGE`).
        public static let decoding = Kind(base: .decoding)
        /// The request could not be built (an argument the client cannot send).
        public static let invalidRequest = Kind(base: .invalidRequest)
        /// A webhook delivery whose signature is missing, malformed, wrong or too old (``WebhookVerifier``).
        public static let webhookSignature = Kind(base: .webhookSignature)

        public var description: String { base.rawValue }
    }

    /// What went wrong, broadly.
    public var kind: Kind
    /// The stable, machine-readable code.
    public var code: ErrorCode
    /// A message for people.
    public var message: String
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// The server's structured details (`details.field` names the offending field of a 422).
    public var details: JSONValue?
    /// The request id: the error body's `request_id`, else the `X-Request-ID` response header.
    public var requestID: String?
    /// How long the server asked the client to wait (`Retry-After`), on 429 and 503.
    public var retryAfter: Duration?
    /// The start of the response body (up to 500 bytes, as text) when it could not be decoded.
    public var bodyExcerpt: String?
    /// The error underneath: a `URLError`, a `DecodingError`.
    public var underlyingError: (any Error)?

    /// An error with these parts: for transports and tests that need to make one; the client makes its own.
    public init(
        kind: Kind, code: ErrorCode, message: String, status: Int? = nil, details: JSONValue? = nil,
        requestID: String? = nil, retryAfter: Duration? = nil, bodyExcerpt: String? = nil, underlyingError: (any Error)? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.status = status
        self.details = details
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.bodyExcerpt = bodyExcerpt
        self.underlyingError = underlyingError
    }

    /// `CODE: message (HTTP status) [request id]`.
    public var description: String {
        var text = "\(code): \(message)"
        if let status { text += " (HTTP \(status))" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }
}

extension ErrorCode {
    /// No connection to the server could be made: refused, no such host, no network.
    public static let serverUnreachable: ErrorCode = "SERVER_UNREACHABLE"
    /// The connection was lost before the whole answer arrived.
    public static let connectionLost: ErrorCode = "CONNECTION_LOST"
    /// The request failed without an answer for another reason.
    public static let transportFailed: ErrorCode = "TRANSPORT_FAILED"
    /// The answer's body is larger than the configuration's `maxResponseBytes`.
    public static let responseTooLarge: ErrorCode = "RESPONSE_TOO_LARGE"
    /// The request did not complete within its timeout.
    public static let timedOut: ErrorCode = "TIMED_OUT"
    /// The request was cancelled.
    public static let cancelled: ErrorCode = "CANCELLED"
    /// The response body could not be decoded.
    public static let decodingFailed: ErrorCode = "DECODING_FAILED"
}

extension AutoGitError {
    /// How many bytes of a body ``bodyExcerpt`` keeps.
    static let excerptLength = 500

    static func excerpt(of data: Data) -> String? {
        guard !data.isEmpty else { return nil }
        return String(decoding: data.prefix(excerptLength), as: UTF8.self)
    }

    /// The code the client reports for an error envelope without one, from the HTTP status.
    static func fallbackCode(forStatus status: Int) -> ErrorCode {
        switch status {
        case 400: .invalidRequest
        case 401: .authenticationRequired
        case 403: .authorizationFailed
        case 404: .notFound
        case 409: .conflict
        case 413: .payloadTooLarge
        case 422: .validationFailed
        case 429: .rateLimitExceeded
        case 501: .notImplemented
        case 503: .serviceUnavailable
        case 500...599: .internalError
        default: ErrorCode("HTTP_\(status)")
        }
    }

    /// The error for a response with an error status and its (collected) body.
    static func response(status: Int, headers: HTTPHeaders, body: Data) -> AutoGitError {
        let retryAfter = RetryAfter.parse(headers["Retry-After"])
        let headerRequestID = headers["X-Request-ID"]
        if let envelope = APIErrorBody.decode(from: body, fallbackCode: fallbackCode(forStatus: status)) {
            var wait = retryAfter
            if wait == nil, let seconds = envelope.details?["retry_after"]?.doubleValue {
                wait = .milliseconds(Int64(seconds * 1000))
            }
            return AutoGitError(
                kind: status == 429 ? .rateLimited : .server, code: envelope.code,
                message: envelope.message.isEmpty ? "HTTP \(status)" : envelope.message, status: status,
                details: envelope.details, requestID: envelope.requestID ?? headerRequestID, retryAfter: wait,
                bodyExcerpt: excerpt(of: body))
        }
        let text = excerpt(of: body)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let message =
            text.map { $0.isEmpty ? "HTTP \(status)" : "HTTP \(status): \($0.prefix(200))" } ?? "HTTP \(status)"
        return AutoGitError(
            kind: status == 429 ? .rateLimited : .http, code: ErrorCode("HTTP_\(status)"), message: message,
            status: status, requestID: headerRequestID, retryAfter: retryAfter, bodyExcerpt: excerpt(of: body))
    }

    /// The error for a success response whose body did not decode as expected.
    static func decoding(_ error: any Error, response: HTTPResponseData, body: Data, expected: Any.Type) -> AutoGitError {
        var message = "Could not decode \(expected) from the response"
        if let decodingError = error as? DecodingError {
            message += ": \(CoreError.decoding(decodingError).message)"
        }
        return AutoGitError(
            kind: .decoding, code: .decodingFailed, message: message, status: response.status,
            requestID: response.headers["X-Request-ID"], bodyExcerpt: excerpt(of: body), underlyingError: error)
    }

    /// The client's view of an error thrown by a transport or by the client's own machinery.
    static func wrapping(_ error: any Error) -> AutoGitError {
        if let error = error as? AutoGitError { return error }
        if error is CancellationError {
            return AutoGitError(kind: .cancelled, code: .cancelled, message: "The request was cancelled", underlyingError: error)
        }
        if let error = error as? HTTPBody.BodyTooLarge {
            return AutoGitError(kind: .decoding, code: .responseTooLarge, message: error.description, underlyingError: error)
        }
        if let error = error as? URLError {
            let detail = "\(error.localizedDescription) (URLError \(error.code.rawValue))"
            switch error.code {
            case .cancelled:
                return AutoGitError(kind: .cancelled, code: .cancelled, message: "The request was cancelled", underlyingError: error)
            case .timedOut:
                return AutoGitError(
                    kind: .timedOut, code: .timedOut, message: "The server did not answer in time", underlyingError: error)
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
                return AutoGitError(
                    kind: .transport, code: .serverUnreachable, message: "Cannot reach the server: \(detail)", underlyingError: error)
            case .networkConnectionLost:
                return AutoGitError(
                    kind: .transport, code: .connectionLost, message: "The connection was lost: \(detail)", underlyingError: error)
            default:
                return AutoGitError(
                    kind: .transport, code: .transportFailed, message: "The request failed: \(detail)", underlyingError: error)
            }
        }
        return AutoGitError(kind: .transport, code: .transportFailed, message: "The request failed: \(error)", underlyingError: error)
    }

    /// The client's view of an error met while reading a response body whose head had arrived: the connection
    /// was lost (libcurl reports a truncated body as URLError -1, "transfer closed with outstanding read data
    /// remaining"), unless the read was cancelled or the body too large.
    static func lostConnection(_ error: any Error) -> AutoGitError {
        let wrapped = wrapping(error)
        guard wrapped.kind == .transport else { return wrapped }
        var lost = wrapped
        lost.code = .connectionLost
        if let urlError = error as? URLError {
            lost.message =
                "The connection was lost while the answer was arriving: \(urlError.localizedDescription) (URLError \(urlError.code.rawValue))"
        } else {
            lost.message = "The connection was lost while the answer was arriving: \(error)"
        }
        return lost
    }

    static func timedOut(after timeout: Duration) -> AutoGitError {
        AutoGitError(kind: .timedOut, code: .timedOut, message: "The request did not complete within \(timeout)")
    }

    static func invalidRequest(_ message: String) -> AutoGitError {
        AutoGitError(kind: .invalidRequest, code: .invalidRequest, message: message)
    }

    /// Whether a retry may help: the connection failed or was lost, or the request timed out.
    var isTransient: Bool {
        switch kind.base {
        case .timedOut: return true
        case .transport:
            if code == .connectionLost || code == .serverUnreachable { return true }
            guard let urlError = underlyingError as? URLError else { return true }
            switch urlError.code {
            case .networkConnectionLost, .cannotConnectToHost, .timedOut, .notConnectedToInternet, .dnsLookupFailed,
                .cannotFindHost, .badServerResponse, .secureConnectionFailed:
                return true
            default:
                return false
            }
        default: return false
        }
    }
}
