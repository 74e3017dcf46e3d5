import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// Deliveries signed here from the documented formula (HMAC-SHA256 of `<t>.<body>` in lowercase hex), not with the
/// server's signing code, so the verifier is checked against the contract itself.
@Suite("WebhookVerifier")
struct WebhookVerifierTests {
    static let secret = "whsec_5f3a9c1e"
    static let body = Data(
        #"{"id":"1234","type":"job_status_changed","payload":{"job_id":"j1","new_status":"succeeded"},"timestamp":"2024-01-15T10:41:00Z"}"#
            .utf8)
    static let now = Date(timeIntervalSince1970: 1_705_315_260)

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// `X-AutoGit-Timestamped-Signature` for `body` signed with `secret` at `time`.
    static func timestamped(_ body: Data, secret: String = secret, at time: Date = now) -> String {
        let t = String(Int(time.timeIntervalSince1970))
        let mac = HMACSHA256.authenticationCode(for: Array(t.utf8) + Array(".".utf8) + Array(body), using: Array(secret.utf8))
        return "t=\(t),v1=\(hex(mac))"
    }

    static func headers(_ signature: String) -> HTTPHeaders {
        ["Content-Type": "application/json", "X-AutoGit-Event": "job_status_changed", "x-autogit-timestamped-signature": signature]
    }

    @Test("a delivery with a valid timestamped signature is accepted and its event decoded")
    func accepts() throws {
        let verifier = WebhookVerifier(secret: Self.secret)
        let event = try verifier.verify(headers: Self.headers(Self.timestamped(Self.body)), body: Self.body, now: Self.now)
        #expect(event.id == "1234")
        #expect(event.type == .jobStatusChanged)
        #expect(event.payload["new_status"] == "succeeded")
        // Within the window on either side of the receiver's clock.
        _ = try verifier.verify(headers: Self.headers(Self.timestamped(Self.body)), body: Self.body, now: Self.now.addingTimeInterval(299))
        _ = try verifier.verify(headers: Self.headers(Self.timestamped(Self.body)), body: Self.body, now: Self.now.addingTimeInterval(-299))
    }

    @Test("a tampered body is rejected as a mismatch")
    func tamperedBody() {
        var tampered = Self.body
        tampered[tampered.count - 3] = UInt8(ascii: "1")
        let verifier = WebhookVerifier(secret: Self.secret)
        #expect(throws: AutoGitError.self) {
            _ = try verifier.verify(headers: Self.headers(Self.timestamped(Self.body)), body: tampered, now: Self.now)
        }
        #expect(
            code { try verifier.verify(headers: Self.headers(Self.timestamped(Self.body)), body: tampered, now: Self.now) }
                == .webhookSignatureMismatch)
    }

    @Test("a delivery signed with another secret is rejected; while rotating, either secret is accepted")
    func wrongSecret() throws {
        let signature = Self.timestamped(Self.body, secret: "whsec_old")
        let verifier = WebhookVerifier(secret: Self.secret)
        #expect(code { try verifier.verify(headers: Self.headers(signature), body: Self.body, now: Self.now) } == .webhookSignatureMismatch)
        let rotating = WebhookVerifier(secrets: ["whsec_old", Self.secret])
        _ = try rotating.verify(headers: Self.headers(signature), body: Self.body, now: Self.now)
    }

    @Test("a timestamp outside the tolerance window is rejected as expired, before or after the receiver's clock")
    func outsideWindow() {
        let verifier = WebhookVerifier(secret: Self.secret)
        let old = Self.timestamped(Self.body, at: Self.now.addingTimeInterval(-301))
        let future = Self.timestamped(Self.body, at: Self.now.addingTimeInterval(301))
        #expect(code { try verifier.verify(headers: Self.headers(old), body: Self.body, now: Self.now) } == .webhookSignatureExpired)
        #expect(code { try verifier.verify(headers: Self.headers(future), body: Self.body, now: Self.now) } == .webhookSignatureExpired)
        let lenient = WebhookVerifier(secret: Self.secret, tolerance: 600)
        #expect(code { try lenient.verify(headers: Self.headers(old), body: Self.body, now: Self.now) } == nil)
    }

    @Test("missing and malformed signatures are told apart")
    func missingAndMalformed() {
        let verifier = WebhookVerifier(secret: Self.secret)
        #expect(
            code { try verifier.verify(headers: ["Content-Type": "application/json"], body: Self.body, now: Self.now) }
                == .webhookSignatureMissing)
        #expect(
            code { try verifier.verify(headers: Self.headers("t=abc,v1=00"), body: Self.body, now: Self.now) } == .webhookSignatureMalformed
        )
        #expect(
            code { try verifier.verify(headers: Self.headers("t=1705315260"), body: Self.body, now: Self.now) } == .webhookSignatureMissing)
    }

    @Test("the body signature alone is accepted unless the receiver requires the timestamped one")
    func bodySignature() throws {
        let mac = HMACSHA256.authenticationCode(for: Array(Self.body), using: Array(Self.secret.utf8))
        let headers: HTTPHeaders = ["X-AutoGit-Signature": "sha256=\(Self.hex(mac))"]
        _ = try WebhookVerifier(secret: Self.secret).verify(headers: headers, body: Self.body, now: Self.now)
        let strict = WebhookVerifier(secret: Self.secret, acceptsBodySignatureAlone: false)
        #expect(code { try strict.verify(headers: headers, body: Self.body, now: Self.now) } == .webhookSignatureMissing)
        #expect(
            code { try WebhookVerifier(secret: "other").verify(headers: headers, body: Self.body, now: Self.now) }
                == .webhookSignatureMismatch)
    }

    @Test("headers given as a dictionary are matched without case")
    func dictionaryHeaders() throws {
        let headers = ["X-AUTOGIT-TIMESTAMPED-SIGNATURE": Self.timestamped(Self.body)]
        _ = try WebhookVerifier(secret: Self.secret).verify(headers: headers, body: Self.body, now: Self.now)
    }

    @Test("an authentic body that is not an event is a decoding error")
    func notAnEvent() {
        let body = Data(#"{"hello":"world"}"#.utf8)
        let verifier = WebhookVerifier(secret: Self.secret)
        #expect(code { try verifier.verify(headers: Self.headers(Self.timestamped(body)), body: body, now: Self.now) } == .decodingFailed)
    }

    /// The code of the error `body` throws, or nil when it throws none.
    func code(_ body: () throws -> Event) -> ErrorCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? AutoGitError)?.code ?? "NOT_AN_AUTOGIT_ERROR"
        }
    }
}
