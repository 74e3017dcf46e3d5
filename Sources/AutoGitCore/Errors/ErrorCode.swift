/// A stable, machine-readable error code (`RUNNER_NOT_FOUND`). Codes are open: a server may send codes this
/// version does not list, and they compare by their text.
public struct ErrorCode: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    // Requests
    public static let invalidRequest: ErrorCode = "INVALID_REQUEST"
    public static let validationFailed: ErrorCode = "VALIDATION_FAILED"
    public static let payloadTooLarge: ErrorCode = "PAYLOAD_TOO_LARGE"
    // Authentication and authorisation
    public static let authenticationRequired: ErrorCode = "AUTHENTICATION_REQUIRED"
    public static let authenticationFailed: ErrorCode = "AUTHENTICATION_FAILED"
    public static let authorizationFailed: ErrorCode = "AUTHORIZATION_FAILED"
    public static let rateLimitExceeded: ErrorCode = "RATE_LIMIT_EXCEEDED"
    // Resources
    public static let notFound: ErrorCode = "NOT_FOUND"
    public static let runnerNotFound: ErrorCode = "RUNNER_NOT_FOUND"
    public static let jobNotFound: ErrorCode = "JOB_NOT_FOUND"
    public static let gpuNotFound: ErrorCode = "GPU_NOT_FOUND"
    public static let instanceNotFound: ErrorCode = "INSTANCE_NOT_FOUND"
    public static let runNotFound: ErrorCode = "RUN_NOT_FOUND"
    public static let artifactNotFound: ErrorCode = "ARTIFACT_NOT_FOUND"
    public static let tokenNotFound: ErrorCode = "TOKEN_NOT_FOUND"
    public static let webhookNotFound: ErrorCode = "WEBHOOK_NOT_FOUND"
    public static let providerNotFound: ErrorCode = "PROVIDER_NOT_FOUND"
    // State
    public static let conflict: ErrorCode = "CONFLICT"
    public static let invalidStateTransition: ErrorCode = "INVALID_STATE_TRANSITION"
    public static let runnerUnavailable: ErrorCode = "RUNNER_UNAVAILABLE"
    public static let resourceUnavailable: ErrorCode = "RESOURCE_UNAVAILABLE"
    // Server
    public static let notImplemented: ErrorCode = "NOT_IMPLEMENTED"
    public static let notSupported: ErrorCode = "NOT_SUPPORTED"
    public static let serviceUnavailable: ErrorCode = "SERVICE_UNAVAILABLE"
    public static let internalError: ErrorCode = "INTERNAL_ERROR"

    // Fleeting plugins
    /// A provider's settings are missing or wrong; the message names the setting.
    public static let pluginConfiguration: ErrorCode = "PLUGIN_CONFIGURATION"
    /// The infrastructure behind a provider cannot be reached or refused a call.
    public static let pluginUnavailable: ErrorCode = "PLUGIN_UNAVAILABLE"
    /// An external plugin broke the protocol: unparsable output, a missing field, an exit without an answer.
    public static let pluginProtocol: ErrorCode = "PLUGIN_PROTOCOL"
}
