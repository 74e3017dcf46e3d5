import Foundation

/// An error a handler throws to answer with a specific status and a JSON error envelope:
/// `{"error": {"code": "...", "message": "...", "details": {...}, "request_id": "..."}}`.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    /// A stable, machine-readable code (`RUNNER_NOT_FOUND`); clients switch on it, never on `message`.
    public var code: String
    /// A human-readable sentence, safe to show to the caller.
    public var message: String
    /// Extra structured context, encoded as the envelope's `details` object.
    public var details: (any Encodable & Sendable)?
    /// Headers to add to the error response (`Allow` on 405, `Retry-After` on 429/503).
    public var headers: HTTPHeaders

    public init(
        _ status: HTTPStatus, code: String? = nil, message: String? = nil, details: (any Encodable & Sendable)? = nil,
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.status = status
        self.code = code ?? HTTPError.defaultCode(for: status)
        self.message = message ?? status.reasonPhrase
        self.details = details
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON envelope response for this error.
    public func response(requestID: String? = nil) -> HTTPResponse {
        var response = HTTPResponse(status: status, bytes: envelope(requestID: requestID))
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        response.headers["Content-Type"] = "application/json"
        return response
    }

    func envelope(requestID: String?) -> [UInt8] {
        let encoder = HTTPResponse.makeJSONEncoder()
        let body = Envelope(error: .init(code: code, message: message, details: details.map(AnyEncodable.init), requestID: requestID))
        if let data = try? encoder.encode(body) { return Array(data) }
        // Details that fail to encode must not turn an error into a different error.
        let plain = Envelope(error: .init(code: code, message: message, details: nil, requestID: requestID))
        return Array((try? encoder.encode(plain)) ?? Data("{\"error\":{\"code\":\"INTERNAL_ERROR\"}}".utf8))
    }

    /// `NOT_FOUND` for 404, `PAYLOAD_TOO_LARGE` for 413: the reason phrase in upper snake case, with common aliases.
    static func defaultCode(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: return "BAD_REQUEST"
        case 404: return "NOT_FOUND"
        case 405: return "METHOD_NOT_ALLOWED"
        case 413: return "PAYLOAD_TOO_LARGE"
        case 422: return "VALIDATION_ERROR"
        case 429: return "RATE_LIMITED"
        case 431: return "HEADERS_TOO_LARGE"
        case 500: return "INTERNAL_ERROR"
        case 503: return "SERVICE_UNAVAILABLE"
        default:
            return HTTPStatus.standardReasonPhrase(status.code).uppercased()
                .map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        }
    }

    public static func notFound(_ message: String = "No such resource.") -> HTTPError {
        HTTPError(.notFound, message: message)
    }

    public static func badRequest(_ message: String, code: String = "BAD_REQUEST") -> HTTPError {
        HTTPError(.badRequest, code: code, message: message)
    }

    private struct Envelope: Encodable {
        var error: Body
        struct Body: Encodable {
            var code: String
            var message: String
            var details: AnyEncodable?
            var requestID: String?

            enum CodingKeys: String, CodingKey {
                case code, message, details
                case requestID = "request_id"
            }
        }
    }

    private struct AnyEncodable: Encodable {
        let value: any Encodable
        init(_ value: any Encodable & Sendable) { self.value = value }
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }
}
