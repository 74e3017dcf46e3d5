import AutoGitCore

/// An error of the reference server: a stable ``code``, the HTTP status it is answered with, a message for people,
/// and structured details.
///
/// Handlers throw it; the error middleware writes it as the API's error envelope.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var status: Int
    public var message: String
    public var details: JSONValue?

    public init(_ code: ErrorCode, status: Int, _ message: String, details: JSONValue? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) (\(status)): \(message)" }

    /// The store cannot make writes durable (disk full, I/O error); the server answers 503 until restarted.
    static func storeUnavailable(_ message: String) -> ServerError {
        ServerError(.storeUnavailable, status: 503, message)
    }

    /// The data directory holds state the server cannot read; it refuses to start rather than lose data.
    static func storeCorrupted(_ message: String) -> ServerError {
        ServerError(.storeCorrupted, status: 500, message)
    }
}

extension ErrorCode {
    public static let storeUnavailable: ErrorCode = "STORE_UNAVAILABLE"
    public static let storeCorrupted: ErrorCode = "STORE_CORRUPTED"
}
