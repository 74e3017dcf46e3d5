/// SHA-256 (FIPS 180-4), streaming and one-shot.
///
/// A value type with no heap storage: copying one forks the running state, so a common prefix can be hashed once
/// and reused. Hashing allocates nothing apart from the returned digest.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(chunk1)
/// hasher.update(chunk2)
/// let digest = hasher.finalize()  // 32 bytes
/// let hex = SHA256.hexDigest("abc")
/// ```
public struct SHA256: Sendable {
    /// The digest size in bytes (32).
    public static let byteCount = 32
    /// The block size in bytes (64): the unit the compression function consumes, and HMAC's key block size.
    public static let blockByteCount = 64

    /// The running hash value H0…H7.
    private(set) var state = State()
    /// Bytes waiting for a full block; only the first `bufferedCount` are meaningful.
    private var buffer = Block()
    private var bufferedCount = 0
    /// The message length so far, in bytes.
    private var length: UInt64 = 0

    /// Creates a hasher with the FIPS 180-4 initial hash value.
    public init() {}

    /// Feeds the bytes in `bytes` into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)

        if bufferedCount > 0 {
            let taken = min(SHA256.blockByteCount - bufferedCount, remaining)
            let offset = bufferedCount
            withUnsafeMutableBytes(of: &buffer) { raw in
                (raw.baseAddress! + offset).copyMemory(from: base, byteCount: taken)
            }
            bufferedCount += taken
            base += taken
            remaining -= taken
            guard bufferedCount == SHA256.blockByteCount else { return }
            let block = buffer
            withUnsafeBytes(of: block) { raw in
                SHA256.compress(&state, blocks: raw.baseAddress!, count: 1)
            }
            bufferedCount = 0
        }

        let fullBlocks = remaining / SHA256.blockByteCount
        if fullBlocks > 0 {
            SHA256.compress(&state, blocks: base, count: fullBlocks)
            base += fullBlocks * SHA256.blockByteCount
            remaining -= fullBlocks * SHA256.blockByteCount
        }

        if remaining > 0 {
            withUnsafeMutableBytes(of: &buffer) { raw in
                raw.baseAddress!.copyMemory(from: base, byteCount: remaining)
            }
            bufferedCount = remaining
        }
    }

    /// Feeds `bytes` into the hash. `[UInt8]`, `ArraySlice<UInt8>`, `Data` and native strings' UTF-8 views are
    /// read in place; other sequences are copied into an array first.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Feeds the UTF-8 encoding of `string` into the hash.
    public mutating func update(_ string: some StringProtocol) {
        update(string.utf8)
    }

    /// Returns the 32-byte digest of everything fed so far.
    ///
    /// Does not change the hasher: more input may follow, and a later `finalize()` covers it too.
    public func finalize() -> [UInt8] {
        let words = finalizeWords()
        return [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { output, count in
            words.store(bigEndianInto: UnsafeMutableRawPointer(output.baseAddress!))
            count = SHA256.byteCount
        }
    }

    /// Returns the digest of everything fed so far as 64 lowercase hexadecimal characters.
    public func finalizeHex() -> String {
        Hex.encode(finalize())
    }

    /// The digest of everything fed so far as eight words, without allocating.
    func finalizeWords() -> State {
        // Padding: the 0x80 marker, zeros, and the bit length in the last 8 bytes, in one block or two.
        var state = state
        var tail = (Block(), Block())
        let bufferedCount = bufferedCount
        let buffer = buffer
        withUnsafeMutableBytes(of: &tail) { raw in
            withUnsafeBytes(of: buffer) { raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<bufferedCount])) }
            raw[bufferedCount] = 0x80
            let blocks = bufferedCount + 1 + 8 <= SHA256.blockByteCount ? 1 : 2
            let lengthOffset = blocks * SHA256.blockByteCount - 8
            raw.storeBytes(of: (length &* 8).bigEndian, toByteOffset: lengthOffset, as: UInt64.self)
            SHA256.compress(&state, blocks: raw.baseAddress!, count: blocks)
        }
        return state
    }
}

// MARK: - One-shot

extension SHA256 {
    /// Returns the 32-byte SHA-256 digest of `bytes` (`[UInt8]`, `Data`, a slice, a UTF-8 view…).
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Returns the 32-byte SHA-256 digest of the UTF-8 encoding of `string`.
    public static func hash(_ string: some StringProtocol) -> [UInt8] {
        hash(string.utf8)
    }

    /// Returns the SHA-256 digest of `bytes` as 64 lowercase hexadecimal characters.
    public static func hexDigest(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encode(hash(bytes))
    }

    /// Returns the SHA-256 digest of the UTF-8 encoding of `string` as 64 lowercase hexadecimal characters.
    public static func hexDigest(_ string: some StringProtocol) -> String {
        Hex.encode(hash(string.utf8))
    }
}

// MARK: - Compression function

extension SHA256 {
    /// The eight 32-bit words of the hash value, H0…H7; a fresh value holds the FIPS 180-4 initial hash value.
    struct State: Sendable, Equatable {
        var h0: UInt32 = 0x6a09_e667
        var h1: UInt32 = 0xbb67_ae85
        var h2: UInt32 = 0x3c6e_f372
        var h3: UInt32 = 0xa54f_f53a
        var h4: UInt32 = 0x510e_527f
        var h5: UInt32 = 0x9b05_688c
        var h6: UInt32 = 0x1f83_d9ab
        var h7: UInt32 = 0x5be0_cd19

        /// Writes the 32 digest bytes, big-endian, at `pointer`.
        func store(bigEndianInto pointer: UnsafeMutableRawPointer) {
            pointer.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
            pointer.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
            pointer.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
            pointer.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
            pointer.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
            pointer.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
            pointer.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
            pointer.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
        }
    }

    /// 64 bytes of inline storage for one block.
    struct Block: Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// Compresses `count` consecutive 64-byte blocks starting at `blocks` (any alignment) into `state`.
    static func compress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            let w = schedule.baseAddress!
            var block = blocks
            for _ in 0..<count {
                var t = 0
                while t < 16 {
                    w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                    t &+= 1
                }
                compress(&state, schedule: w)
                block += blockByteCount
            }
        }
    }

    /// Runs the 64 rounds over a message schedule whose first 16 words are filled in; `w` must have room for 64
    /// words, and words 16…63 are overwritten.
    ///
    /// Rotations are written out with masking shifts rather than called, so that a debug build is not slowed by
    /// millions of function calls.
    static func compress(_ state: inout State, schedule w: UnsafeMutablePointer<UInt32>) {
        var t = 16
        while t < 64 {
            let x = w[t &- 15]
            let y = w[t &- 2]
            let s0 = (x &>> 7 | x &<< 25) ^ (x &>> 18 | x &<< 14) ^ (x &>> 3)
            let s1 = (y &>> 17 | y &<< 15) ^ (y &>> 19 | y &<< 13) ^ (y &>> 10)
            w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
            t &+= 1
        }

        var a = state.h0
        var b = state.h1
        var c = state.h2
        var d = state.h3
        var e = state.h4
        var f = state.h5
        var g = state.h6
        var h = state.h7

        roundConstants.withUnsafeBufferPointer { k in
            var t = 0
            while t < 64 {
                let s1 = (e &>> 6 | e &<< 26) ^ (e &>> 11 | e &<< 21) ^ (e &>> 25 | e &<< 7)
                let choice = (e & f) ^ (~e & g)
                let t1 = h &+ s1 &+ choice &+ k[t] &+ w[t]
                let s0 = (a &>> 2 | a &<< 30) ^ (a &>> 13 | a &<< 19) ^ (a &>> 22 | a &<< 10)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                h = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ s0 &+ majority
                t &+= 1
            }
        }

        state.h0 &+= a
        state.h1 &+= b
        state.h2 &+= c
        state.h3 &+= d
        state.h4 &+= e
        state.h5 &+= f
        state.h6 &+= g
        state.h7 &+= h
    }

    /// K0…K63: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}
