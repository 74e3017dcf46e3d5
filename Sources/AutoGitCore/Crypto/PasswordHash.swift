/// A salted, slow hash of a password, stored as one self-describing string:
///
/// ```
/// pbkdf2-sha256$<iterations>$<salt>$<hash>
/// pbkdf2-sha256$100000$q2k3V7n0S8Wm1T1xjgNfZA$3Vq0m…
/// ```
///
/// `<iterations>` is the decimal count of PBKDF2-HMAC-SHA256 iterations, without leading zeros; `<salt>` and
/// `<hash>` are unpadded base64url (RFC 4648 §5). A new hash has a 16-byte random salt and a 32-byte hash. The
/// password is hashed as its UTF-8 bytes, without Unicode normalisation.
///
/// The iteration count travels with each hash, so raising ``defaultIterations`` later leaves existing hashes
/// verifiable. Not `Equatable` on purpose: compare passwords with ``matches(password:)``, which takes constant
/// time.
///
/// ```swift
/// let stored = PasswordHash(password: "correct horse").encoded
/// let ok = try PasswordHash.verify(password: attempt, encoded: stored)
/// ```
public struct PasswordHash: Sendable {
    /// The scheme name at the start of every encoded hash.
    public static let scheme = "pbkdf2-sha256"
    /// The work factor of new hashes: about 40 ms per hash on a current server core in a release build, about
    /// 0.2 s in a debug build.
    public static let defaultIterations = 100_000
    /// The largest iteration count accepted, so that a hostile stored string cannot make verification run for
    /// minutes.
    public static let maximumIterations = 10_000_000
    /// The salt size of new hashes, in bytes.
    public static let saltByteCount = 16
    /// The hash size of new hashes, in bytes.
    public static let hashByteCount = 32

    /// The PBKDF2-HMAC-SHA256 iteration count.
    public let iterations: Int
    /// The salt, 1 to 64 bytes.
    public let salt: [UInt8]
    /// The derived key, 16 to 64 bytes.
    public let hash: [UInt8]

    /// Hashes `password` with a fresh random salt.
    ///
    /// Takes time in proportion to `iterations`; tests pass a small count.
    ///
    /// - Precondition: `iterations` is in `1...maximumIterations`.
    public init(password: String, iterations: Int = defaultIterations) {
        self.init(password: password, salt: SecureRandom.bytes(count: Self.saltByteCount), iterations: iterations)
    }

    /// Hashes `password` with a given salt: deterministic, for tests and for migrating existing hashes.
    ///
    /// - Precondition: `iterations` is in `1...maximumIterations` and `salt` has 1 to 64 bytes.
    public init(password: String, salt: [UInt8], iterations: Int) {
        precondition((1...Self.maximumIterations).contains(iterations), "iterations out of range")
        precondition((1...64).contains(salt.count), "salt must have 1 to 64 bytes")
        self.iterations = iterations
        self.salt = salt
        self.hash = PBKDF2.deriveKey(password: password, salt: salt, iterations: iterations, keyLength: Self.hashByteCount)
    }

    /// Reads an encoded hash, such as one from ``encoded`` kept in a config file or the user store.
    ///
    /// - Throws: ``CryptoError`` with code `PASSWORD_HASH_MALFORMED` when `encoded` does not follow the format,
    ///   has an iteration count outside `1...maximumIterations`, or a salt or hash of an unexpected size.
    public init(encoded: String) throws(CryptoError) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4 else {
            throw Self.malformed("expected 4 fields separated by '$', as in \(Self.scheme)$<iterations>$<salt>$<hash>")
        }
        guard fields[0] == Self.scheme else {
            throw Self.malformed("unsupported scheme; expected \(Self.scheme)")
        }
        let digits = fields[1].utf8
        guard (1...8).contains(digits.count), digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let iterations = Int(fields[1]), iterations <= Self.maximumIterations
        else {
            throw Self.malformed("iterations must be a decimal number from 1 to \(Self.maximumIterations)")
        }
        guard let salt = Base64URL.decode(fields[2]), (1...64).contains(salt.count) else {
            throw Self.malformed("salt is not 1 to 64 bytes of unpadded base64url")
        }
        guard let hash = Base64URL.decode(fields[3]), (16...64).contains(hash.count) else {
            throw Self.malformed("hash is not 16 to 64 bytes of unpadded base64url")
        }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// The hash as one `pbkdf2-sha256$<iterations>$<salt>$<hash>` string, to store.
    public var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Base64URL.encode(salt))$\(Base64URL.encode(hash))"
    }

    /// Returns whether `password` hashes to ``hash`` with this salt and iteration count, comparing in constant
    /// time. Takes as long as hashing the password.
    public func matches(password: String) -> Bool {
        let candidate = PBKDF2.deriveKey(password: password, salt: salt, iterations: iterations, keyLength: hash.count)
        return ConstantTime.equals(candidate, hash)
    }

    /// Returns whether `password` matches the encoded hash `encoded`; a wrong password is `false`, not an error.
    ///
    /// - Throws: ``CryptoError`` with code `PASSWORD_HASH_MALFORMED` when `encoded` is not a hash this type
    ///   reads (see ``init(encoded:)``).
    public static func verify(password: String, encoded: String) throws(CryptoError) -> Bool {
        try PasswordHash(encoded: encoded).matches(password: password)
    }

    private static func malformed(_ detail: String) -> CryptoError {
        CryptoError(.passwordHashMalformed, "malformed password hash: \(detail)")
    }
}
