import Foundation

/// Signs and verifies JSON Web Tokens with HS256 (HMAC-SHA256; RFC 7519, RFC 7515), and with nothing else.
///
/// ```swift
/// let signer = try JWTSigner(key: secret)
/// let token = signer.sign(JWTClaims(subject: "alice", role: "admin", issuedAt: now, expiresAt: now + 3600))
/// let claims = try signer.verify(token)  // throws CryptoError: JWT_EXPIRED, JWT_SIGNATURE_INVALID, …
/// ```
///
/// Verification rejects, in this order:
/// - a token over ``maximumTokenLength`` bytes, or not three unpadded base64url segments (`JWT_MALFORMED`);
/// - a header that is not JSON with a string `alg` (`JWT_MALFORMED`), whose `alg` is not `HS256`, `none` included
///   (`JWT_ALGORITHM_UNSUPPORTED`), or that has `crit` parameters (`JWT_MALFORMED`);
/// - a signature that does not match, compared in constant time (`JWT_SIGNATURE_INVALID`);
/// - a payload that is not a JSON object of claims, or has no `exp` (`JWT_MALFORMED`: this project issues no
///   non-expiring JWTs; long-lived credentials are API tokens);
/// - an `exp` at or before now minus the leeway (`JWT_EXPIRED`);
/// - an `nbf` after now plus the leeway (`JWT_NOT_YET_VALID`).
///
/// The signature is checked over the token's own bytes, never over a re-encoding.
public struct JWTSigner: Sendable {
    /// The longest token ``verify(_:at:)`` will read, in bytes.
    public static let maximumTokenLength = 8192
    /// The shortest key accepted, in bytes: HS256 keys must be at least as long as the hash (RFC 7518 §3.2).
    public static let minimumKeyByteCount = 32

    private let hmac: HMACSHA256
    /// The clock skew tolerated on `exp` and `nbf`, in seconds.
    public let leeway: TimeInterval

    /// Creates a signer with a secret `key`, tolerating `leeway` seconds of clock skew between issuer and verifier.
    ///
    /// - Throws: ``CryptoError`` with code `KEY_TOO_SHORT` when `key` has fewer than 32 bytes.
    public init(key: some Sequence<UInt8>, leeway: TimeInterval = 30) throws(CryptoError) {
        let key = Array(key)
        guard key.count >= Self.minimumKeyByteCount else {
            throw CryptoError(.keyTooShort, "an HS256 key needs at least \(Self.minimumKeyByteCount) bytes, got \(key.count)")
        }
        self.hmac = HMACSHA256(key: key)
        self.leeway = leeway
    }

    /// Returns the compact serialization `header.payload.signature` of `claims`, with the header
    /// `{"alg":"HS256","typ":"JWT"}` and the claims as JSON with sorted keys.
    ///
    /// Nothing is checked here: set ``JWTClaims/expiresAt``, or ``verify(_:at:)`` will reject the token.
    public func sign(_ claims: JWTClaims) -> String {
        let signingInput = Self.encodedHeader + "." + Base64URL.encode(claims.encodedJSON().utf8)
        return signingInput + "." + Base64URL.encode(signature(of: signingInput.utf8))
    }

    /// Verifies `token` at the time `now` and returns its claims.
    ///
    /// - Throws: ``CryptoError`` with a `JWT_…` code saying why the token is not acceptable (see ``JWTSigner``).
    public func verify(_ token: String, at now: Date = Date()) throws(CryptoError) -> JWTClaims {
        guard token.utf8.count <= Self.maximumTokenLength else {
            throw Self.malformed("token is longer than \(Self.maximumTokenLength) bytes")
        }
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerJSON = Base64URL.decode(Substring(parts[0])),
            let payloadJSON = Base64URL.decode(Substring(parts[1])),
            let signature = Base64URL.decode(Substring(parts[2]))
        else {
            throw Self.malformed("token is not three unpadded base64url segments")
        }

        try Self.checkHeader(headerJSON)

        let signingInput = token.utf8[parts[0].startIndex..<parts[1].endIndex]
        guard ConstantTime.equals(self.signature(of: signingInput), signature) else {
            throw CryptoError(.jwtSignatureInvalid, "token signature does not match")
        }

        let claims = try JWTClaims(json: payloadJSON)
        guard let expiresAt = claims.expiresAt else {
            throw Self.malformed("token has no exp claim")
        }
        guard now.timeIntervalSince(expiresAt) < leeway else {
            throw CryptoError(.jwtExpired, "token expired at \(RFC3339.string(from: expiresAt))")
        }
        if let notBefore = claims.notBefore, notBefore.timeIntervalSince(now) > leeway {
            throw CryptoError(.jwtNotYetValid, "token is not valid before \(RFC3339.string(from: notBefore))")
        }
        return claims
    }

    // MARK: - Internals

    private static let encodedHeader = Base64URL.encode(#"{"alg":"HS256","typ":"JWT"}"#.utf8)

    private func signature(of signingInput: some Sequence<UInt8>) -> [UInt8] {
        var mac = hmac
        mac.update(signingInput)
        return mac.finalize()
    }

    private static func checkHeader(_ json: [UInt8]) throws(CryptoError) {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(json))
        } catch {
            throw malformed("token header is not a JSON object with a string alg")
        }
        guard header.algorithm == "HS256" else {
            throw CryptoError(.jwtAlgorithmUnsupported, "token algorithm is not HS256")
        }
        guard !header.hasCritical else {
            throw malformed("token header has crit parameters, which are not supported")
        }
    }

    /// The header fields that matter; `typ` and others are ignored.
    private struct Header: Decodable {
        let algorithm: String
        /// Whether `crit` is present, whatever its value.
        let hasCritical: Bool

        enum CodingKeys: String, CodingKey {
            case algorithm = "alg"
            case critical = "crit"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            algorithm = try container.decode(String.self, forKey: .algorithm)
            hasCritical = container.contains(.critical)
        }
    }

    private static func malformed(_ message: String) -> CryptoError {
        CryptoError(.jwtMalformed, message)
    }
}
