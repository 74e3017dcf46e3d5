import Foundation

/// The error a server returns: a stable code, a message for people, and structured details.
///
/// AutoGit servers write `{"error": {"code": ..., "message": ..., "details": {...}}}` (``ErrorEnvelope``).
/// ``decode(from:)`` also reads the seed systems' shapes, so the SDK reports errors from any compatible server.
public struct APIErrorBody: Codable, Sendable, Hashable, Error {
    public var code: ErrorCode
    public var message: String
    public var details: JSONValue?
    /// The `X-Request-ID` of the failed request, so a user can quote it and an operator can find the log line.
    public var requestID: String?

    public init(code: ErrorCode, message: String, details: JSONValue? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.requestID = requestID
    }

    enum CodingKeys: String, CodingKey {
        case code, message, details
        case requestID = "request_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(ErrorCode.self, forKey: .code, default: .internalError)
        message = try container.decode(String.self, forKey: .message, default: "")
        details = try container.decodeIfPresent(JSONValue.self, forKey: .details)
        requestID = try container.decodeIfPresent(String.self, forKey: .requestID)
    }

    /// Reads an error body in any of the four shapes AutoGit meets, or returns `nil` when `data` is none of them:
    ///
    /// 1. AutoGit and PEFT Studio: `{"error": {"code", "message", "details"}}`
    /// 2. RustCI: `{"success": false, "error": {"code", "message", "details"}}`
    /// 3. LlamaCtl: `{"error": "message", "code": "CODE", "details": "text"}`
    /// 4. FastAPI (Runicorn): `{"detail": "message"}` or `{"detail": [validation errors]}`, with an optional
    ///    `retry_after`.
    ///
    /// When a shape carries no code, `fallbackCode` is used (callers pass one derived from the HTTP status).
    public static func decode(from data: Data, fallbackCode: ErrorCode = .internalError) -> APIErrorBody? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), let object = value.objectValue else {
            return nil
        }
        if let error = object["error"] {
            if let nested = error.objectValue {
                return APIErrorBody(
                    code: nested["code"]?.stringValue.map { ErrorCode($0) } ?? fallbackCode,
                    message: nested["message"]?.stringValue ?? nested["detail"]?.stringValue ?? "",
                    details: nested["details"],
                    requestID: nested["request_id"]?.stringValue)
            }
            if let message = error.stringValue {
                return APIErrorBody(
                    code: object["code"]?.stringValue.map { ErrorCode($0) } ?? fallbackCode,
                    message: message,
                    details: object["details"])
            }
        }
        if let detail = object["detail"] {
            var details: [String: JSONValue] = [:]
            let message: String
            switch detail {
            case .string(let text):
                message = text
            case .array(let items):
                // FastAPI validation errors: [{"loc": [...], "msg": "...", "type": "..."}]
                let messages = items.compactMap { item -> String? in
                    guard let msg = item["msg"]?.stringValue else { return nil }
                    let location = item["loc"]?.arrayValue?.compactMap { $0.stringValue ?? $0.intValue.map(String.init) }
                    if let location, !location.isEmpty { return "\(location.joined(separator: ".")): \(msg)" }
                    return msg
                }
                message = messages.isEmpty ? "Request validation failed" : messages.joined(separator: "; ")
                details["errors"] = detail
            default:
                message = detail["message"]?.stringValue ?? "Request failed"
                details["detail"] = detail
            }
            if let retryAfter = object["retry_after"] { details["retry_after"] = retryAfter }
            return APIErrorBody(
                code: object["code"]?.stringValue.map { ErrorCode($0) } ?? fallbackCode, message: message,
                details: details.isEmpty ? nil : .object(details))
        }
        return nil
    }
}

/// The error envelope AutoGit servers write: `{"error": {"code": ..., "message": ..., "details": ...}}`.
public struct ErrorEnvelope: Codable, Sendable, Hashable {
    public var error: APIErrorBody

    public init(error: APIErrorBody) {
        self.error = error
    }

    public init(code: ErrorCode, message: String, details: JSONValue? = nil, requestID: String? = nil) {
        self.error = APIErrorBody(code: code, message: message, details: details, requestID: requestID)
    }
}
