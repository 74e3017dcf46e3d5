/// PBKDF2 with HMAC-SHA256 as the pseudorandom function (RFC 8018 §5.2): a deliberately slow key derivation
/// from a password.
///
/// The password's padded HMAC key blocks are absorbed once per call, so each iteration costs exactly two SHA-256
/// compressions. To store passwords, use ``PasswordHash``, which picks the salt, the work factor and the format.
public enum PBKDF2 {
    /// Derives `keyLength` bytes from `password` and `salt` with `iterations` rounds of HMAC-SHA256.
    ///
    /// The time taken grows linearly with `iterations` and with `keyLength` in 32-byte blocks.
    ///
    /// - Precondition: `iterations >= 1` and `keyLength` is in `1...(2³² − 1) × 32`; a violation is a
    ///   programming error and traps.
    public static func deriveKey(
        password: some Sequence<UInt8>,
        salt: some Sequence<UInt8>,
        iterations: Int,
        keyLength: Int
    ) -> [UInt8] {
        precondition(iterations >= 1, "PBKDF2 needs at least one iteration")
        precondition(keyLength >= 1 && UInt64(keyLength) <= UInt64(UInt32.max) * 32, "PBKDF2 key length out of range")

        let hmac = HMACSHA256(key: password)
        let salt = Array(salt)
        let innerKey = hmac.innerKeyState
        let outerKey = hmac.outerKeyState

        var output: [UInt8] = []
        output.reserveCapacity(keyLength + HMACSHA256.byteCount)
        var blockIndex: UInt32 = 1
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            let w = schedule.baseAddress!
            while output.count < keyLength {
                // U1 = PRF(P, S || INT(i)), through the general path.
                var first = hmac
                first.update(salt)
                first.update([
                    UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                    UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex),
                ])
                var u = SHA256.State(bigEndianBytes: first.finalize())
                var t = u

                // U2…Uc = PRF(P, U(j-1)): a 32-byte message after the 64-byte key block is one padded block for
                // the inner hash, and the inner digest is one padded block for the outer hash.
                for _ in 1..<iterations {
                    var inner = innerKey
                    loadDigestBlock(u, into: w)
                    SHA256.compress(&inner, schedule: w)
                    u = outerKey
                    loadDigestBlock(inner, into: w)
                    SHA256.compress(&u, schedule: w)
                    t.formXor(u)
                }

                var block = SHA256.Block()
                withUnsafeMutableBytes(of: &block) { raw in
                    t.store(bigEndianInto: raw.baseAddress!)
                    output.append(contentsOf: raw[..<HMACSHA256.byteCount])
                }
                blockIndex &+= 1
            }
        }
        output.removeLast(output.count - keyLength)
        return output
    }

    /// Derives `keyLength` bytes from the UTF-8 encoding of `password` and `salt`.
    ///
    /// - Precondition: `iterations >= 1` and `keyLength >= 1`.
    public static func deriveKey(
        password: some StringProtocol,
        salt: some Sequence<UInt8>,
        iterations: Int,
        keyLength: Int
    ) -> [UInt8] {
        deriveKey(password: Array(password.utf8), salt: salt, iterations: iterations, keyLength: keyLength)
    }

    /// Fills the first 16 schedule words with a 32-byte digest as the message that follows one 64-byte block,
    /// padded: the digest, the 0x80 marker, zeros, and the 768-bit total length.
    private static func loadDigestBlock(_ digest: SHA256.State, into w: UnsafeMutablePointer<UInt32>) {
        w[0] = digest.h0
        w[1] = digest.h1
        w[2] = digest.h2
        w[3] = digest.h3
        w[4] = digest.h4
        w[5] = digest.h5
        w[6] = digest.h6
        w[7] = digest.h7
        w[8] = 0x8000_0000
        w[9] = 0
        w[10] = 0
        w[11] = 0
        w[12] = 0
        w[13] = 0
        w[14] = 0
        w[15] = UInt32((SHA256.blockByteCount + SHA256.byteCount) * 8)
    }
}

extension SHA256.State {
    /// Reads eight big-endian words from a 32-byte digest.
    fileprivate init(bigEndianBytes bytes: [UInt8]) {
        self.init()
        bytes.withUnsafeBytes { raw in
            h0 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            h1 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            h2 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            h3 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
            h4 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            h5 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
            h6 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
            h7 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        }
    }

    /// XORs `other` into this value, word by word.
    fileprivate mutating func formXor(_ other: SHA256.State) {
        h0 ^= other.h0
        h1 ^= other.h1
        h2 ^= other.h2
        h3 ^= other.h3
        h4 ^= other.h4
        h5 ^= other.h5
        h6 ^= other.h6
        h7 ^= other.h7
    }
}
