import AutoGitCore
import Testing

@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let code: String
        var testDescription: String { name }
    }

    /// RFC 4231 §4.2–4.8, test cases 1–7 (case 5 is truncated to 128 bits, as the RFC gives it).
    static let vectors: [Vector] = [
        Vector(
            name: "case 1",
            key: [UInt8](repeating: 0x0b, count: 20),
            data: Array("Hi There".utf8),
            code: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        Vector(
            name: "case 2: key shorter than the output",
            key: Array("Jefe".utf8),
            data: Array("what do ya want for nothing?".utf8),
            code: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        Vector(
            name: "case 3: combined length of key and data larger than 64 bytes",
            key: [UInt8](repeating: 0xaa, count: 20),
            data: [UInt8](repeating: 0xdd, count: 50),
            code: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        Vector(
            name: "case 4",
            key: Array(1...25),
            data: [UInt8](repeating: 0xcd, count: 50),
            code: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        Vector(
            name: "case 5: truncation to 128 bits",
            key: [UInt8](repeating: 0x0c, count: 20),
            data: Array("Test With Truncation".utf8),
            code: "a3b6167473100ee06e0c796c2955552b"
        ),
        Vector(
            name: "case 6: key larger than the block size",
            key: [UInt8](repeating: 0xaa, count: 131),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            code: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        Vector(
            name: "case 7: key and data larger than the block size",
            key: [UInt8](repeating: 0xaa, count: 131),
            data: Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").utf8
            ),
            code: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test("RFC 4231 test cases give the published codes", arguments: vectors)
    func rfc4231(vector: Vector) throws {
        let code = HMACSHA256.authenticationCode(for: vector.data, using: vector.key)
        #expect(code.count == HMACSHA256.byteCount)
        let expected = try #require(Hex.decode(vector.code))
        #expect(Array(code.prefix(expected.count)) == expected)
    }

    @Test("feeding the message byte by byte equals one-shot, and a keyed value can be reused", arguments: vectors)
    func streaming(vector: Vector) {
        let keyed = HMACSHA256(key: vector.key)
        var hmac = keyed
        for byte in vector.data { hmac.update([byte]) }
        #expect(hmac.finalize() == HMACSHA256.authenticationCode(for: vector.data, using: vector.key))

        var again = keyed
        again.update(vector.data)
        #expect(again.finalize() == hmac.finalize())
    }

    @Test("a key of exactly one block is used as is, one byte more is hashed first")
    func keyLengthBoundary() {
        let block = [UInt8](repeating: 0x42, count: 64)
        let longer = block + [0x42]
        let message = Array("message".utf8)
        #expect(
            Hex.encode(HMACSHA256.authenticationCode(for: message, using: block))
                != Hex.encode(HMACSHA256.authenticationCode(for: message, using: longer))
        )
        #expect(
            HMACSHA256.authenticationCode(for: message, using: longer)
                == HMACSHA256.authenticationCode(for: message, using: SHA256.hash(longer))
        )
    }

    @Test("string keys and messages use their UTF-8 bytes")
    func strings() {
        var hmac = HMACSHA256(key: "Jefe")
        hmac.update("what do ya want for nothing?")
        let code = hmac.finalize()
        #expect(Hex.encode(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMACSHA256.authenticationCode(for: "what do ya want for nothing?", using: Array("Jefe".utf8)) == code)
    }

    @Test("validation accepts the exact code only: not a flipped bit, not a truncated prefix")
    func validation() {
        let message = Array("what do ya want for nothing?".utf8)
        let key = Array("Jefe".utf8)
        let code = HMACSHA256.authenticationCode(for: message, using: key)
        #expect(HMACSHA256.isValidAuthenticationCode(code, for: message, using: key))
        var flipped = code
        flipped[31] ^= 1
        #expect(!HMACSHA256.isValidAuthenticationCode(flipped, for: message, using: key))
        #expect(!HMACSHA256.isValidAuthenticationCode(code.prefix(16), for: message, using: key))
        #expect(!HMACSHA256.isValidAuthenticationCode(code, for: message + [0], using: key))
    }
}
