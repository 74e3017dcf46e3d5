import Foundation

/// Signatures of webhook deliveries. Every delivery carries two headers:
///
/// ```
/// X-AutoGit-Signature: sha256=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
/// X-AutoGit-Timestamped-Signature: t=1700000000,v1=3a40818bd9e38409c67ee6d5fc93850812a870a19aab799a64deecc2ecbb4c6e
/// ```
///
/// The first (``bodySignatureHeaderName``) is the HMAC-SHA256 of the body alone, in the style receivers of GitHub
/// webhooks already verify; ``bodySignature(_:secret:)`` makes it. The second (``headerName``) also covers a
/// timestamp and is what a receiver should prefer:
///
/// `t` is when the delivery was signed, in whole Unix seconds; each `v1` is the lowercase hex HMAC-SHA256 of
/// `"<t>.<body>"` under one secret. Covering the timestamp stops a captured delivery from being replayed later
/// with a fresh `t`. While a secret is being rotated the sender signs with both, old and new, and sends one `v1`
/// per secret; a receiver accepts the delivery if any `v1` matches. Items other than `t` and `v1` are ignored, so
/// later schemes (`v2=…`) can be added alongside.
///
/// The receiver must verify the exact body bytes it received, before any JSON parsing.
public enum WebhookSignature {
    /// The header that carries the timestamped signature (`t=…,v1=…`).
    public static let headerName = "X-AutoGit-Timestamped-Signature"
    /// The header that carries the signature of the body alone (`sha256=<hex>`).
    public static let bodySignatureHeaderName = "X-AutoGit-Signature"

    /// `sha256=<lowercase hex HMAC-SHA256 of body under secret>`, the value of ``bodySignatureHeaderName``.
    public static func bodySignature(_ body: some Sequence<UInt8>, secret: String) -> String {
        "sha256=" + Hex.encode(HMACSHA256.authenticationCode(for: Array(body), using: Array(secret.utf8)))
    }

    /// Checks a `sha256=<hex>` header against `body` in constant time. It carries no time, so it cannot refuse a
    /// replayed delivery: prefer ``verify(_:body:secret:tolerance:now:)`` where the timestamped header is present.
    public static func verifyBodySignature(_ header: String?, body: some Sequence<UInt8>, secret: String) throws(CryptoError) {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw CryptoError(.webhookSignatureMissing, "the \(bodySignatureHeaderName) header is missing")
        }
        guard header.hasPrefix("sha256="), header.count == 7 + 64 else {
            throw CryptoError(.webhookSignatureMalformed, "malformed \(bodySignatureHeaderName) header: expected sha256=<64 hex digits>")
        }
        guard ConstantTime.equals(header.lowercased(), bodySignature(body, secret: secret)) else {
            throw CryptoError(.webhookSignatureMismatch, "the \(bodySignatureHeaderName) header does not sign this body")
        }
    }
    /// How far, in seconds, a delivery's timestamp may be from the receiver's clock by default: 5 minutes.
    public static let defaultTolerance: TimeInterval = 300

    /// Returns the header value that signs `body` with `secret` (its UTF-8 bytes) at `date`, whose fractional
    /// seconds are dropped.
    public static func sign(_ body: some Sequence<UInt8>, secret: String, at date: Date = Date()) -> String {
        sign(body, secrets: [secret], at: date)
    }

    /// Returns the header value that signs `body` with each of `secrets` at `date`: one `v1` per secret, in order.
    ///
    /// - Precondition: `secrets` is not empty.
    public static func sign(_ body: some Sequence<UInt8>, secrets: [String], at date: Date = Date()) -> String {
        precondition(!secrets.isEmpty, "a webhook signature needs at least one secret")
        // Clamped to what `verify` reads back (up to 12 digits), so that no date can trap.
        let seconds = min(max(date.timeIntervalSince1970.rounded(.down), 0), 999_999_999_999)
        let timestamp = String(Int64(seconds))
        let body = Array(body)
        var header = "t=" + timestamp
        for secret in secrets {
            header += ",v1=" + Hex.encode(authenticationCode(timestamp: timestamp, body: body, secret: secret))
        }
        return header
    }

    /// Checks that `header` signs `body` under `secret` and was made within `tolerance` seconds of `now`.
    ///
    /// The signatures are checked first, in constant time, and the timestamp only after one matches: an expired
    /// error means an authentic but late (or replayed) delivery.
    ///
    /// - Throws: ``CryptoError`` with code
    ///   - `WEBHOOK_SIGNATURE_MISSING` when `header` is `nil`, blank, or has no `v1` item;
    ///   - `WEBHOOK_SIGNATURE_MALFORMED` when it has no single `t` of decimal digits, or an item without `=`;
    ///   - `WEBHOOK_SIGNATURE_MISMATCH` when no `v1` is the signature of `body` under `secret`;
    ///   - `WEBHOOK_SIGNATURE_EXPIRED` when `t` is more than `tolerance` seconds before or after `now`.
    public static func verify(
        _ header: String?,
        body: some Sequence<UInt8>,
        secret: String,
        tolerance: TimeInterval = defaultTolerance,
        now: Date = Date()
    ) throws(CryptoError) {
        try verify(header, body: body, secrets: [secret], tolerance: tolerance, now: now)
    }

    /// Checks that `header` signs `body` under any of `secrets` (a receiver's old and new secret while rotating)
    /// and was made within `tolerance` seconds of `now`.
    ///
    /// - Throws: ``CryptoError`` with a `WEBHOOK_SIGNATURE_…` code, as
    ///   ``verify(_:body:secret:tolerance:now:)`` does.
    public static func verify(
        _ header: String?,
        body: some Sequence<UInt8>,
        secrets: [String],
        tolerance: TimeInterval = defaultTolerance,
        now: Date = Date()
    ) throws(CryptoError) {
        let (timestamp, signatures) = try parse(header)
        let body = Array(body)
        var matched = false
        for secret in secrets {
            let expected = authenticationCode(timestamp: timestamp, body: body, secret: secret)
            for signature in signatures where ConstantTime.equals(expected, signature) {
                matched = true
            }
        }
        guard matched else {
            throw CryptoError(.webhookSignatureMismatch, "no v1 signature matches the body")
        }
        guard let seconds = Double(timestamp), abs(now.timeIntervalSince1970 - seconds) <= tolerance else {
            throw CryptoError(.webhookSignatureExpired, "signature timestamp \(timestamp) is outside the tolerance window")
        }
    }

    /// Splits a header into its timestamp text and its `v1` signatures (those that are not 32 bytes of hex are
    /// dropped: they cannot match).
    private static func parse(_ header: String?) throws(CryptoError) -> (timestamp: String, signatures: [[UInt8]]) {
        guard let header, header.contains(where: { !$0.isWhitespace }) else {
            throw CryptoError(.webhookSignatureMissing, "the \(headerName) header is missing")
        }
        var timestamp: String?
        var signatures: [[UInt8]] = []
        var hasSignature = false
        for item in header.split(separator: ",") {
            let item = item.trimmingCharacters(in: .whitespaces)
            guard let equals = item.firstIndex(of: "=") else {
                throw malformed("an item has no '='")
            }
            let key = item[..<equals]
            let value = item[item.index(after: equals)...]
            switch key {
            case "t":
                guard timestamp == nil, (1...12).contains(value.utf8.count),
                    value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
                else {
                    throw malformed("expected one t=<Unix seconds>")
                }
                timestamp = String(value)
            case "v1":
                hasSignature = true
                if let signature = Hex.decode(value), signature.count == HMACSHA256.byteCount {
                    signatures.append(signature)
                }
            default:
                continue
            }
        }
        guard let timestamp else {
            throw malformed("expected one t=<Unix seconds>")
        }
        guard hasSignature else {
            throw CryptoError(.webhookSignatureMissing, "the \(headerName) header has no v1 signature")
        }
        return (timestamp, signatures)
    }

    private static func authenticationCode(timestamp: String, body: [UInt8], secret: String) -> [UInt8] {
        var hmac = HMACSHA256(key: secret)
        hmac.update(timestamp)
        hmac.update(".".utf8)
        hmac.update(body)
        return hmac.finalize()
    }

    private static func malformed(_ detail: String) -> CryptoError {
        CryptoError(.webhookSignatureMalformed, "malformed \(headerName) header: \(detail)")
    }
}
