/// Cryptographically secure random bytes and API tokens, from the system's generator
/// (`SystemRandomNumberGenerator`: `getrandom(2)` on Linux, `arc4random_buf` on Apple platforms).
public enum SecureRandom {
    /// The prefix of AutoGit API tokens, so that they are recognisable in logs, configs and secret scanners.
    public static let apiTokenPrefix = "agt_"

    /// Returns `count` random bytes from the system's secure generator.
    ///
    /// - Precondition: `count >= 0`.
    public static func bytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return bytes(count: count, using: &generator)
    }

    /// Returns `count` random bytes from `generator`: tests pass a seeded one, production code calls
    /// ``bytes(count:)``.
    ///
    /// - Precondition: `count >= 0`.
    public static func bytes(count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        precondition(count >= 0, "byte count must not be negative")
        var output: [UInt8] = []
        output.reserveCapacity(count + 7)
        while output.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { output.append(contentsOf: $0) }
        }
        output.removeLast(output.count - count)
        return output
    }

    /// Returns a new API token: `prefix` followed by `byteCount` random bytes in unpadded base64url.
    ///
    /// With the defaults that is `agt_` and 43 characters from `[A-Za-z0-9_-]`: 256 bits of entropy. Show the
    /// token to its owner once and store only its digest (`SHA256.hexDigest(token)`); look tokens up by that
    /// digest, or compare digests with ``ConstantTime``.
    public static func apiToken(prefix: String = apiTokenPrefix, byteCount: Int = 32) -> String {
        prefix + Base64URL.encode(bytes(count: byteCount))
    }
}
