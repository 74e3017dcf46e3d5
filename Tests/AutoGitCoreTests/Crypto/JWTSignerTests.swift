import AutoGitCore
import Foundation
import Testing

@Suite("JWT signer (HS256)")
struct JWTSignerTests {
    static let key = [UInt8](repeating: 0x5a, count: 32)
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// RFC 7515 appendix A.1: the example JWS with HMAC SHA-256, its JWK key, and its exact bytes (with CRLFs).
    @Test("the RFC 7515 appendix A.1 example verifies, before its expiry only")
    func rfc7515Example() throws {
        let key = try #require(
            Base64URL.decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
        )
        let token =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
            + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let signer = try JWTSigner(key: key, leeway: 0)

        let claims = try signer.verify(token, at: Date(timeIntervalSince1970: 1_300_819_379))
        #expect(claims.expiresAt == Date(timeIntervalSince1970: 1_300_819_380))
        #expect(claims.extra == ["iss": "joe"])
        #expect(claims.subject == nil)

        #expect(errorCode { try signer.verify(token, at: Date(timeIntervalSince1970: 1_300_819_380)) } == .jwtExpired)
        let other = try JWTSigner(key: [UInt8](repeating: 1, count: 64))
        #expect(errorCode { try other.verify(token, at: Date(timeIntervalSince1970: 1_300_819_000)) } == .jwtSignatureInvalid)
    }

    @Test("a signed token verifies and returns its claims")
    func signAndVerify() throws {
        let signer = try JWTSigner(key: Self.key)
        let claims = JWTClaims(
            subject: "alice", role: "admin", issuedAt: Self.now, expiresAt: Self.now + 3600, id: "jwt_1"
        )
        let token = signer.sign(claims)
        #expect(token.split(separator: ".").count == 3)
        #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."))
        #expect(try signer.verify(token, at: Self.now + 60) == claims)
    }

    @Test("a token signed with another key, or with a changed payload or signature, is rejected")
    func wrongSignature() throws {
        let signer = try JWTSigner(key: Self.key)
        let token = signer.sign(JWTClaims(subject: "alice", expiresAt: Self.now + 3600))

        let other = try JWTSigner(key: [UInt8](repeating: 0xa5, count: 32))
        #expect(errorCode { try other.verify(token, at: Self.now) } == .jwtSignatureInvalid)

        let parts = token.split(separator: ".").map(String.init)
        let admin = signer.sign(JWTClaims(subject: "alice", role: "admin", expiresAt: Self.now + 3600))
        let swapped = [parts[0], admin.split(separator: ".").map(String.init)[1], parts[2]].joined(separator: ".")
        #expect(errorCode { try signer.verify(swapped, at: Self.now) } == .jwtSignatureInvalid)

        let unsigned = parts[0] + "." + parts[1] + "."
        #expect(errorCode { try signer.verify(unsigned, at: Self.now) } == .jwtSignatureInvalid)

        var signature = Base64URL.decode(parts[2])!
        signature[0] ^= 1
        let flipped = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
        #expect(errorCode { try signer.verify(flipped, at: Self.now) } == .jwtSignatureInvalid)
    }

    @Test(
        "any algorithm but HS256 is rejected, 'none' included",
        arguments: [#"{"alg":"none"}"#, #"{"alg":"None","typ":"JWT"}"#, #"{"alg":"HS512"}"#, #"{"alg":"RS256"}"#]
    )
    func otherAlgorithms(header: String) throws {
        let signer = try JWTSigner(key: Self.key)
        let payload = Base64URL.encode(#"{"exp":1900000000,"sub":"root"}"#.utf8)
        let unsigned = Base64URL.encode(header.utf8) + "." + payload + "."
        #expect(errorCode { try signer.verify(unsigned, at: Self.now) } == .jwtAlgorithmUnsupported)
        let signed = Self.token(header: header, payload: #"{"exp":1900000000}"#, key: Self.key)
        #expect(errorCode { try signer.verify(signed, at: Self.now) } == .jwtAlgorithmUnsupported)
    }

    @Test(
        "malformed tokens are rejected as malformed",
        arguments: [
            "", "abc", "a.b", "a.b.c.d", "...", "eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJIUzI1NiJ9=.e30.sig",
            "eyJhbGciOiJIUzI1NiJ9.e3 0.sig", "eyJhbGciOiJIUzI1NiJ9.e30.si+g",
        ]
    )
    func malformedTokens(token: String) throws {
        let signer = try JWTSigner(key: Self.key)
        let error = errorCode { try signer.verify(token, at: Self.now) }
        // "header.{}." is well formed but has an empty signature: its signature, not its shape, is wrong.
        let expected: ErrorCode = token == "eyJhbGciOiJIUzI1NiJ9.e30." ? .jwtSignatureInvalid : .jwtMalformed
        #expect(error == expected)
    }

    @Test("correctly signed tokens with unreadable JSON, crit parameters or no exp are rejected as malformed")
    func malformedContent() throws {
        let signer = try JWTSigner(key: Self.key)
        let cases: [(header: String, payload: String)] = [
            ("not json", #"{"exp":1900000000}"#),
            (#"["HS256"]"#, #"{"exp":1900000000}"#),
            (#"{"typ":"JWT"}"#, #"{"exp":1900000000}"#),
            (#"{"alg":256}"#, #"{"exp":1900000000}"#),
            (#"{"alg":"HS256","crit":["exp"]}"#, #"{"exp":1900000000}"#),
            (#"{"alg":"HS256"}"#, "not json"),
            (#"{"alg":"HS256"}"#, "[1900000000]"),
            (#"{"alg":"HS256"}"#, #"{"sub":"alice"}"#),
            (#"{"alg":"HS256"}"#, #"{"exp":"tomorrow"}"#),
            (#"{"alg":"HS256"}"#, #"{"exp":1900000000,"sub":42}"#),
        ]
        for (header, payload) in cases {
            let token = Self.token(header: header, payload: payload, key: Self.key)
            #expect(errorCode { try signer.verify(token, at: Self.now) } == .jwtMalformed, "\(header) \(payload)")
        }
    }

    @Test("a token longer than the maximum is rejected before any parsing")
    func overlongToken() throws {
        let signer = try JWTSigner(key: Self.key)
        let token = signer.sign(
            JWTClaims(expiresAt: Self.now + 60, extra: ["padding": String(repeating: "x", count: 8192)])
        )
        #expect(errorCode { try signer.verify(token, at: Self.now) } == .jwtMalformed)
    }

    @Test("expiry is exclusive and tolerates the leeway")
    func expiry() throws {
        let strict = try JWTSigner(key: Self.key, leeway: 0)
        let lenient = try JWTSigner(key: Self.key, leeway: 30)
        func token(expiringIn seconds: TimeInterval) -> String {
            strict.sign(JWTClaims(subject: "alice", expiresAt: Self.now + seconds))
        }
        #expect(throws: Never.self) { try strict.verify(token(expiringIn: 1), at: Self.now) }
        #expect(errorCode { try strict.verify(token(expiringIn: 0), at: Self.now) } == .jwtExpired)
        #expect(throws: Never.self) { try lenient.verify(token(expiringIn: -29), at: Self.now) }
        #expect(errorCode { try lenient.verify(token(expiringIn: -30), at: Self.now) } == .jwtExpired)
        #expect(errorCode { try lenient.verify(token(expiringIn: -3600), at: Self.now) } == .jwtExpired)
    }

    @Test("not-before tolerates the leeway and is rejected beyond it")
    func notBefore() throws {
        let signer = try JWTSigner(key: Self.key, leeway: 30)
        func token(validIn seconds: TimeInterval) -> String {
            signer.sign(JWTClaims(expiresAt: Self.now + 3600, notBefore: Self.now + seconds))
        }
        #expect(throws: Never.self) { try signer.verify(token(validIn: -100), at: Self.now) }
        #expect(throws: Never.self) { try signer.verify(token(validIn: 30), at: Self.now) }
        #expect(errorCode { try signer.verify(token(validIn: 31), at: Self.now) } == .jwtNotYetValid)
    }

    @Test("keys shorter than 32 bytes are refused")
    func shortKey() throws {
        #expect(throws: CryptoError(.keyTooShort, "an HS256 key needs at least 32 bytes, got 31")) {
            try JWTSigner(key: [UInt8](repeating: 1, count: 31))
        }
        let signer = try JWTSigner(key: "0123456789abcdef0123456789abcdef".utf8)
        #expect(signer.leeway == 30)
    }

    /// A token with exactly these header and payload bytes, correctly signed with HS256 under `key`.
    static func token(header: String, payload: String, key: [UInt8]) -> String {
        let signingInput = Base64URL.encode(header.utf8) + "." + Base64URL.encode(payload.utf8)
        return signingInput + "." + Base64URL.encode(HMACSHA256.authenticationCode(for: signingInput, using: key))
    }
}
