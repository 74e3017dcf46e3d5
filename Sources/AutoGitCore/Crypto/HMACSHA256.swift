/// HMAC with SHA-256 (RFC 2104, RFC 4231): a message authentication code, one-shot or streaming.
///
/// The key may be any length: a key longer than 64 bytes is replaced by its SHA-256 digest, as the RFC says.
/// A keyed value can be copied and reused: the padded key is absorbed once, at `init`, so each further message
/// costs only its own hashing. Compare codes with ``isValidAuthenticationCode(_:for:using:)`` or
/// ``ConstantTime``, never with `==`.
///
/// ```swift
/// let code = HMACSHA256.authenticationCode(for: body, using: secret)
/// var hmac = HMACSHA256(key: secret)
/// hmac.update(part1)
/// hmac.update(part2)
/// let same = hmac.finalize()
/// ```
public struct HMACSHA256: Sendable {
    /// The authentication code's size in bytes (32).
    public static let byteCount = SHA256.byteCount

    /// SHA-256 having absorbed `key ⊕ ipad`, then the message so far.
    private var inner: SHA256
    /// SHA-256 having absorbed `key ⊕ opad`.
    private let outer: SHA256

    /// Creates an HMAC keyed with `key`, of any length (an empty key is allowed but gives no security).
    public init(key: some Sequence<UInt8>) {
        var block = [UInt8](repeating: 0, count: SHA256.blockByteCount)
        let keyBytes = Array(key)
        let normalized = keyBytes.count > SHA256.blockByteCount ? SHA256.hash(keyBytes) : keyBytes
        block.replaceSubrange(0..<normalized.count, with: normalized)

        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    /// Creates an HMAC keyed with the UTF-8 encoding of `key`.
    public init(key: some StringProtocol) {
        self.init(key: Array(key.utf8))
    }

    /// Feeds message bytes into the code.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// Feeds message bytes into the code.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        inner.update(bytes)
    }

    /// Feeds the UTF-8 encoding of `string` into the code.
    public mutating func update(_ string: some StringProtocol) {
        inner.update(string)
    }

    /// Returns the 32-byte authentication code of everything fed so far; the value stays usable for more input.
    public func finalize() -> [UInt8] {
        var outer = outer
        var innerDigest = SHA256.Block()
        let words = inner.finalizeWords()
        withUnsafeMutableBytes(of: &innerDigest) { raw in
            words.store(bigEndianInto: raw.baseAddress!)
            outer.update(UnsafeRawBufferPointer(rebasing: raw[..<SHA256.byteCount]))
        }
        return outer.finalize()
    }

    /// The inner hash state right after the key block, for PBKDF2's two-compressions-per-iteration loop; only
    /// meaningful before any message was fed.
    var innerKeyState: SHA256.State { inner.state }
    /// The outer hash state right after the key block, for PBKDF2.
    var outerKeyState: SHA256.State { outer.state }
}

extension HMACSHA256 {
    /// Returns the 32-byte HMAC-SHA256 of `message` under `key`.
    public static func authenticationCode(for message: some Sequence<UInt8>, using key: some Sequence<UInt8>) -> [UInt8] {
        var hmac = HMACSHA256(key: key)
        hmac.update(message)
        return hmac.finalize()
    }

    /// Returns the 32-byte HMAC-SHA256 of the UTF-8 encoding of `message` under `key`.
    public static func authenticationCode(for message: some StringProtocol, using key: some Sequence<UInt8>) -> [UInt8] {
        authenticationCode(for: message.utf8, using: key)
    }

    /// Returns whether `code` is the full 32-byte HMAC-SHA256 of `message` under `key`, compared in constant time.
    ///
    /// A truncated code is `false`: accepting prefixes would let an attacker guess a short one.
    public static func isValidAuthenticationCode(
        _ code: some Collection<UInt8>,
        for message: some Sequence<UInt8>,
        using key: some Sequence<UInt8>
    ) -> Bool {
        ConstantTime.equals(authenticationCode(for: message, using: key), code)
    }
}
