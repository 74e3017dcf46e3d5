import Foundation

/// The claims of an AutoGit JWT: the registered claims the project uses, a role, and free-form string claims.
///
/// Times are NumericDates (RFC 7519 §2): whole seconds since the Unix epoch when signed (fractions are dropped),
/// any JSON number when read.
public struct JWTClaims: Sendable, Hashable {
    /// `sub`: who the token speaks for (a user name or runner ID).
    public var subject: String?
    /// `role`: the subject's role, such as `admin`, `operator`, `viewer` or `runner`.
    public var role: String?
    /// `iat`: when the token was issued.
    public var issuedAt: Date?
    /// `exp`: when the token stops being valid. ``JWTSigner/verify(_:at:)`` requires it.
    public var expiresAt: Date?
    /// `nbf`: when the token starts being valid.
    public var notBefore: Date?
    /// `jti`: a unique token ID, for revocation lists.
    public var id: String?
    /// Other claims whose values are strings, by name.
    ///
    /// When signing, a key that names one of the claims above (`sub`, `role`, `iat`, `exp`, `nbf`, `jti`) is
    /// ignored. When verifying, every other string-valued claim lands here (`iss` and `aud` too, if a string);
    /// claims of other JSON types are ignored.
    public var extra: [String: String]

    public init(
        subject: String? = nil,
        role: String? = nil,
        issuedAt: Date? = nil,
        expiresAt: Date? = nil,
        notBefore: Date? = nil,
        id: String? = nil,
        extra: [String: String] = [:]
    ) {
        self.subject = subject
        self.role = role
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.id = id
        self.extra = extra
    }

    private static let registeredNames: Set<String> = ["sub", "role", "iat", "exp", "nbf", "jti"]
}

// MARK: - JSON

extension JWTClaims {
    /// The claims as compact JSON with keys in byte order, so that equal claims always sign the same.
    func encodedJSON() -> String {
        var members: [(name: String, value: String)] = []
        func add(_ name: String, _ value: String?) {
            if let value { members.append((name, JSONText.string(value))) }
        }
        func add(_ name: String, _ date: Date?) {
            if let date { members.append((name, String(Self.numericDate(date)))) }
        }
        add("sub", subject)
        add("role", role)
        add("iat", issuedAt)
        add("exp", expiresAt)
        add("nbf", notBefore)
        add("jti", id)
        for (name, value) in extra where !Self.registeredNames.contains(name) {
            add(name, value)
        }
        members.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return "{" + members.map { JSONText.string($0.name) + ":" + $0.value }.joined(separator: ",") + "}"
    }

    /// Reads claims from a JWT payload.
    ///
    /// - Throws: ``CryptoError`` with code `JWT_MALFORMED` when `json` is not a JSON object or a claim above has
    ///   the wrong type.
    init(json: [UInt8]) throws(CryptoError) {
        do {
            self = try JSONDecoder().decode(DecodedClaims.self, from: Data(json)).claims
        } catch {
            throw CryptoError(.jwtMalformed, "token payload is not a JSON object of valid claims")
        }
    }

    /// Whole seconds since the epoch, clamped to years 0001…9999 so that no date can trap the conversion.
    private static func numericDate(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        return Int64(min(max(seconds, -62_135_596_800), 253_402_300_799))
    }
}

private struct DecodedClaims: Decodable {
    var claims = JWTClaims()

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        for key in container.allKeys {
            switch key.stringValue {
            case "sub": claims.subject = try container.decode(String.self, forKey: key)
            case "role": claims.role = try container.decode(String.self, forKey: key)
            case "jti": claims.id = try container.decode(String.self, forKey: key)
            case "iat": claims.issuedAt = try Self.numericDate(container, key)
            case "exp": claims.expiresAt = try Self.numericDate(container, key)
            case "nbf": claims.notBefore = try Self.numericDate(container, key)
            default:
                if let value = try? container.decode(String.self, forKey: key) {
                    claims.extra[key.stringValue] = value
                }
            }
        }
    }

    private static func numericDate(_ container: KeyedDecodingContainer<JSONKey>, _ key: JSONKey) throws -> Date {
        let seconds = try container.decode(Double.self, forKey: key)
        guard seconds.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a NumericDate")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// A JSON object key of any name.
private struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

/// Writing JSON text by hand, where the exact bytes matter because they are signed.
private enum JSONText {
    /// `value` as a JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func string(_ value: String) -> String {
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
