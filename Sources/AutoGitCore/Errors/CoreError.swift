/// An error from AutoGitCore's own logic: validation of specs, parsing of tool output, policy checks.
///
/// `code` is stable; `field` names the offending input field (dotted path, e.g. `steps[0].run`) where there is one,
/// which the server turns into a 422 that names the field.
public struct CoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var field: String?

    public init(_ code: ErrorCode, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// A validation failure of `field`.
    public static func invalid(_ field: String, _ message: String) -> CoreError {
        CoreError(.validationFailed, "\(field): \(message)", field: field)
    }

    public var description: String { "\(code): \(message)" }
}
