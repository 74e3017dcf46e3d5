import AutoGitCore
import Foundation

/// Checks the signature of a webhook delivery AutoGit sent you, then decodes its event.
///
/// ```swift
/// let verifier = WebhookVerifier(secret: webhook.secret!)
/// // in your HTTP handler, with the raw body bytes as received:
/// let event = try verifier.verify(headers: request.headers, body: request.body)
/// ```
///
/// The timestamped signature (`X-AutoGit-Timestamped-Signature: t=…,v1=…`) is preferred: it covers a timestamp,
/// which must lie within ``tolerance`` of the receiver's clock, so a captured delivery cannot be replayed later.
/// Only when that header is absent is the body signature (`X-AutoGit-Signature: sha256=…`) checked, which proves
/// origin but not freshness. Verify the exact bytes received, before any JSON parsing.
public struct WebhookVerifier: Sendable {
    /// The secrets accepted: the webhook's secret, or the old and the new one while rotating.
    public var secrets: [String]
    /// How far a delivery's timestamp may be from `now`, in seconds. Default 300 (5 minutes).
    public var tolerance: TimeInterval
    /// Whether a delivery carrying only the body signature (no timestamp) is accepted. Default `true`.
    public var acceptsBodySignatureAlone: Bool

    /// A verifier of deliveries signed with `secret` (the webhook's `secret`, shown when it was created).
    public init(secret: String, tolerance: TimeInterval = WebhookSignature.defaultTolerance, acceptsBodySignatureAlone: Bool = true) {
        self.init(secrets: [secret], tolerance: tolerance, acceptsBodySignatureAlone: acceptsBodySignatureAlone)
    }

    /// A verifier accepting any of `secrets`: the old and the new one while rotating.
    public init(secrets: [String], tolerance: TimeInterval = WebhookSignature.defaultTolerance, acceptsBodySignatureAlone: Bool = true) {
        self.secrets = secrets
        self.tolerance = tolerance
        self.acceptsBodySignatureAlone = acceptsBodySignatureAlone
    }

    /// Checks the delivery's signature and returns its event.
    ///
    /// - Parameters:
    ///   - headers: the request's headers; names are compared without case.
    ///   - body: the raw body bytes as received, before any parsing.
    ///   - now: the receiver's clock, against which the timestamp must lie within ``tolerance``.
    /// - Throws: ``AutoGitError`` of kind ``AutoGitError/Kind-swift.struct/webhookSignature`` with code
    ///   `WEBHOOK_SIGNATURE_MISSING`, `…_MALFORMED`, `…_MISMATCH` or `…_EXPIRED`; of kind `decoding` when the
    ///   signed body is not an event.
    public func verify(headers: HTTPHeaders, body: Data, now: Date = Date()) throws(AutoGitError) -> Event {
        guard !secrets.isEmpty else {
            throw AutoGitError(kind: .webhookSignature, code: .webhookSignatureMismatch, message: "No webhook secret to verify with")
        }
        do throws(CryptoError) {
            if let timestamped = headers[WebhookSignature.headerName] {
                try WebhookSignature.verify(timestamped, body: body, secrets: secrets, tolerance: tolerance, now: now)
            } else if acceptsBodySignatureAlone, let signature = headers[WebhookSignature.bodySignatureHeaderName] {
                var lastError = CryptoError(.webhookSignatureMismatch, "no secret signs this body")
                var matched = false
                for secret in secrets where !matched {
                    do {
                        try WebhookSignature.verifyBodySignature(signature, body: body, secret: secret)
                        matched = true
                    } catch {
                        lastError = error
                    }
                }
                if !matched { throw lastError }
            } else {
                throw CryptoError(.webhookSignatureMissing, "the \(WebhookSignature.headerName) header is missing")
            }
        } catch {
            throw AutoGitError(kind: .webhookSignature, code: error.code, message: error.message, underlyingError: error)
        }
        do {
            return try AutoGitJSON.decoder().decode(Event.self, from: body)
        } catch {
            var message = "The webhook body is not an event"
            if let decodingError = error as? DecodingError {
                message += ": \(CoreError.decoding(decodingError).message)"
            }
            throw AutoGitError(
                kind: .decoding, code: .decodingFailed, message: message, bodyExcerpt: AutoGitError.excerpt(of: body),
                underlyingError: error)
        }
    }

    /// Checks a delivery given its headers as a dictionary (any case).
    public func verify(headers: [String: String], body: Data, now: Date = Date()) throws(AutoGitError) -> Event {
        try verify(headers: HTTPHeaders(headers.map { ($0.key, $0.value) }), body: body, now: now)
    }
}
