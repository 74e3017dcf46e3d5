/// The one error AutoGit's cryptography throws: a stable ``code`` to switch on or to send in an API error body,
/// and a message for people.
///
/// The codes are ``ErrorCode`` values, the module's single vocabulary of error codes, so a server can pass them
/// on unchanged: `JWT_…` from ``JWTSigner``, `WEBHOOK_SIGNATURE_…` from ``WebhookSignature``,
/// `PASSWORD_HASH_MALFORMED` from ``PasswordHash`` and `KEY_TOO_SHORT`. Messages never contain a secret, a
/// token or a signature.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension ErrorCode {
    // Cryptography: the codes of `CryptoError`.

    /// A JWT is not three unpadded base64url segments of JSON, has no `exp`, or a claim has the wrong type.
    public static let jwtMalformed: ErrorCode = "JWT_MALFORMED"
    /// A JWT's header names an algorithm other than HS256, `none` included.
    public static let jwtAlgorithmUnsupported: ErrorCode = "JWT_ALGORITHM_UNSUPPORTED"
    /// A JWT's signature does not match its header and payload under the key.
    public static let jwtSignatureInvalid: ErrorCode = "JWT_SIGNATURE_INVALID"
    /// A JWT's `exp` has passed, beyond the leeway.
    public static let jwtExpired: ErrorCode = "JWT_EXPIRED"
    /// A JWT's `nbf` is still in the future, beyond the leeway.
    public static let jwtNotYetValid: ErrorCode = "JWT_NOT_YET_VALID"
    /// A signing key is shorter than the algorithm requires.
    public static let keyTooShort: ErrorCode = "KEY_TOO_SHORT"
    /// A stored password hash string does not follow the `pbkdf2-sha256$…` format.
    public static let passwordHashMalformed: ErrorCode = "PASSWORD_HASH_MALFORMED"
    /// A webhook delivery has no signature header, or the header has no `v1` signature.
    public static let webhookSignatureMissing: ErrorCode = "WEBHOOK_SIGNATURE_MISSING"
    /// A webhook signature header cannot be read: no single `t=<seconds>`, or an item without `=`.
    public static let webhookSignatureMalformed: ErrorCode = "WEBHOOK_SIGNATURE_MALFORMED"
    /// No `v1` signature in a webhook signature header matches the body under the secret.
    public static let webhookSignatureMismatch: ErrorCode = "WEBHOOK_SIGNATURE_MISMATCH"
    /// A correctly signed webhook delivery's timestamp is outside the tolerance window: a late or replayed
    /// delivery, or clocks too far apart.
    public static let webhookSignatureExpired: ErrorCode = "WEBHOOK_SIGNATURE_EXPIRED"
}
