import AutoGitCore
import Foundation
import Testing

@Suite("JWT claims")
struct JWTClaimsTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("claims sign as compact JSON with keys in byte order; extra keys naming registered claims are dropped")
    func payloadJSON() throws {
        let signer = try JWTSigner(key: [UInt8](repeating: 7, count: 32))
        let claims = JWTClaims(
            subject: "alice", role: "admin", issuedAt: Self.now, expiresAt: Self.now + 3600, notBefore: Self.now,
            id: "jwt_1", extra: ["iss": "autogit", "sub": "mallory"]
        )
        let token = signer.sign(claims)
        let payload = try #require(Base64URL.decode(token.split(separator: ".")[1]))
        #expect(
            String(decoding: payload, as: UTF8.self)
                == #"{"exp":1700003600,"iat":1700000000,"iss":"autogit","jti":"jwt_1","nbf":1700000000,"#
                + #""role":"admin","sub":"alice"}"#
        )
        let verified = try signer.verify(token, at: Self.now)
        #expect(verified.subject == "alice")
        #expect(verified.extra == ["iss": "autogit"])
    }

    @Test("equal claims always give the same token")
    func deterministic() throws {
        let signer = try JWTSigner(key: [UInt8](repeating: 7, count: 32))
        let extra = Dictionary(uniqueKeysWithValues: (0..<20).map { ("claim\($0)", "value\($0)") })
        let claims = JWTClaims(expiresAt: Self.now, extra: extra)
        #expect(signer.sign(claims) == signer.sign(JWTClaims(expiresAt: Self.now, extra: extra)))
    }

    @Test("times are whole seconds: fractions are dropped when signing")
    func wholeSeconds() throws {
        let signer = try JWTSigner(key: [UInt8](repeating: 7, count: 32))
        let token = signer.sign(JWTClaims(issuedAt: Self.now + 0.9, expiresAt: Self.now + 60.75))
        let claims = try signer.verify(token, at: Self.now)
        #expect(claims.issuedAt == Self.now)
        #expect(claims.expiresAt == Self.now + 60)
    }

    @Test("strings with quotes, backslashes, control characters and non-ASCII text round-trip")
    func escaping() throws {
        let signer = try JWTSigner(key: [UInt8](repeating: 7, count: 32))
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} émoji 🚀 slash /"
        let claims = JWTClaims(subject: awkward, expiresAt: Self.now + 60, extra: [awkward: awkward])
        let verified = try signer.verify(signer.sign(claims), at: Self.now)
        #expect(verified == claims)
    }

    @Test("claims of other JSON types are ignored, and NumericDates may be fractional")
    func lenientReading() throws {
        let key = [UInt8](repeating: 7, count: 32)
        let signer = try JWTSigner(key: key)
        let payload = #"{"exp":1700000060.5,"aud":["a","b"],"admin":true,"n":1,"iss":"autogit"}"#
        let token = JWTSignerTests.token(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: payload, key: key)
        let claims = try signer.verify(token, at: Self.now)
        #expect(claims.expiresAt == Date(timeIntervalSince1970: 1_700_000_060.5))
        #expect(claims.extra == ["iss": "autogit"])
    }
}
