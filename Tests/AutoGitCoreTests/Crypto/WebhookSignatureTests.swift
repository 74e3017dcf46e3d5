import AutoGitCore
import Foundation
import Testing

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    static let body = Array(#"{"event":"job.completed","id":"job_1"}"#.utf8)
    static let secret = "whsec_test_secret"
    static let oldSecret = "whsec_old_secret"
    static let signedAt = Date(timeIntervalSince1970: 1_700_000_000)
    /// HMAC-SHA256 of `"1700000000." + body`, from Python's hmac module.
    static let code = "3a40818bd9e38409c67ee6d5fc93850812a870a19aab799a64deecc2ecbb4c6e"
    static let oldCode = "9ebf3dcbc2f6efb4d80afcf28f4ececcda092b7f121596f7a4f6a38a816308cd"

    @Test("the header is t=<Unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">")
    func headerFormat() {
        #expect(WebhookSignature.sign(Self.body, secret: Self.secret, at: Self.signedAt) == "t=1700000000,v1=\(Self.code)")
        #expect(WebhookSignature.sign(Self.body, secret: Self.secret, at: Self.signedAt + 0.999) == "t=1700000000,v1=\(Self.code)")
        #expect(WebhookSignature.headerName == "X-AutoGit-Timestamped-Signature")
        #expect(WebhookSignature.bodySignatureHeaderName == "X-AutoGit-Signature")
    }

    @Test("a fresh signature verifies, within the tolerance on either side")
    func verifies() {
        let header = WebhookSignature.sign(Self.body, secret: Self.secret, at: Self.signedAt)
        for offset in [0, 1, -1, 299, 300, -300] as [TimeInterval] {
            #expect(
                errorCode { try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, now: Self.signedAt + offset) }
                    == nil
            )
        }
        #expect(
            errorCode {
                try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, tolerance: 3600, now: Self.signedAt + 3600)
            } == nil
        )
    }

    @Test("while a secret rotates, the sender signs with both and either receiver accepts")
    func rotation() {
        let header = WebhookSignature.sign(Self.body, secrets: [Self.oldSecret, Self.secret], at: Self.signedAt)
        #expect(header == "t=1700000000,v1=\(Self.oldCode),v1=\(Self.code)")
        for secret in [Self.oldSecret, Self.secret] {
            #expect(errorCode { try WebhookSignature.verify(header, body: Self.body, secret: secret, now: Self.signedAt) } == nil)
        }

        let oldOnly = WebhookSignature.sign(Self.body, secret: Self.oldSecret, at: Self.signedAt)
        #expect(
            errorCode {
                try WebhookSignature.verify(oldOnly, body: Self.body, secrets: [Self.secret, Self.oldSecret], now: Self.signedAt)
            } == nil
        )
    }

    @Test("spaces around items, uppercase hex and unknown schemes are accepted")
    func lenientParsing() {
        let headers = [
            " t=1700000000 , v1=\(Self.code) ",
            "t=1700000000,v1=\(Self.code.uppercased())",
            "v0=whatever,t=1700000000,v2=future,v1=\(Self.code)",
            "t=1700000000,v1=not-hex,v1=\(Self.code)",
        ]
        for header in headers {
            #expect(
                errorCode { try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, now: Self.signedAt) } == nil,
                "\(header)"
            )
        }
    }

    @Test(
        "a missing header, or one without v1, is WEBHOOK_SIGNATURE_MISSING",
        arguments: [nil, "", "  ", "t=1700000000", "t=1700000000,v0=abc"])
    func missing(header: String?) {
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, now: Self.signedAt) }
                == .webhookSignatureMissing
        )
    }

    @Test(
        "a header without a single numeric t, or with an item lacking '=', is WEBHOOK_SIGNATURE_MALFORMED",
        arguments: [
            "v1=\(code)", "t=,v1=\(code)", "t=abc,v1=\(code)", "t=-1700000000,v1=\(code)", "t=1700000000.5,v1=\(code)",
            "t=1700000000,t=1700000000,v1=\(code)", "t=1700000000,v1", "sha256=\(code)x,t", "garbage",
            "t=1234567890123,v1=\(code)",
        ]
    )
    func malformed(header: String) {
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, now: Self.signedAt) }
                == .webhookSignatureMalformed
        )
    }

    @Test("another secret, a changed body or a changed timestamp is WEBHOOK_SIGNATURE_MISMATCH")
    func mismatch() {
        let header = WebhookSignature.sign(Self.body, secret: Self.secret, at: Self.signedAt)
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body, secret: "whsec_other", now: Self.signedAt) }
                == .webhookSignatureMismatch
        )
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body + [0x20], secret: Self.secret, now: Self.signedAt) }
                == .webhookSignatureMismatch
        )
        let replayed = "t=1700000100,v1=\(Self.code)"
        #expect(
            errorCode { try WebhookSignature.verify(replayed, body: Self.body, secret: Self.secret, now: Self.signedAt) }
                == .webhookSignatureMismatch
        )
        let truncated = "t=1700000000,v1=\(Self.code.prefix(32))"
        #expect(
            errorCode { try WebhookSignature.verify(truncated, body: Self.body, secret: Self.secret, now: Self.signedAt) }
                == .webhookSignatureMismatch
        )
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body, secrets: [], now: Self.signedAt) }
                == .webhookSignatureMismatch
        )
    }

    @Test("an authentic delivery outside the tolerance window is WEBHOOK_SIGNATURE_EXPIRED", arguments: [301, -301, 86_400])
    func expired(offset: TimeInterval) {
        let header = WebhookSignature.sign(Self.body, secret: Self.secret, at: Self.signedAt)
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, now: Self.signedAt + offset) }
                == .webhookSignatureExpired
        )
    }

    @Test("the signature is checked before the time: a forged late delivery is a mismatch, not expired")
    func signatureBeforeTime() {
        let header = WebhookSignature.sign(Self.body, secret: "whsec_forger", at: Self.signedAt)
        #expect(
            errorCode { try WebhookSignature.verify(header, body: Self.body, secret: Self.secret, now: Self.signedAt + 86_400) }
                == .webhookSignatureMismatch
        )
    }

    @Test("the body signature is sha256=<hex HMAC of the body> and verifies in constant time")
    func bodySignature() throws {
        let body = Array(#"{"type":"job_status_changed"}"#.utf8)
        let header = WebhookSignature.bodySignature(body, secret: "whsec")
        let expected = "sha256=" + Hex.encode(HMACSHA256.authenticationCode(for: body, using: Array("whsec".utf8)))
        #expect(header == expected)
        try WebhookSignature.verifyBodySignature(header, body: body, secret: "whsec")
        #expect(throws: CryptoError.self) { try WebhookSignature.verifyBodySignature(header, body: body + [32], secret: "whsec") }
        #expect(throws: CryptoError.self) { try WebhookSignature.verifyBodySignature("sha1=abc", body: body, secret: "whsec") }
        #expect(throws: CryptoError.self) { try WebhookSignature.verifyBodySignature(nil, body: body, secret: "whsec") }
    }
}
