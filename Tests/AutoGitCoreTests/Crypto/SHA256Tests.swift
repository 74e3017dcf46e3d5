import AutoGitCore
import Foundation
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4 examples (NIST CSRC): empty, "abc", the 448-bit and the 896-bit messages.
    @Test(
        "FIPS 180-4 examples hash to the published digests",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ]
    )
    func fipsExamples(message: String, digest: String) {
        #expect(SHA256.hexDigest(message) == digest)
        #expect(SHA256.hash(Array(message.utf8)) == Hex.decode(digest))
        #expect(SHA256.hash(Data(message.utf8)) == Hex.decode(digest))
    }

    @Test("one million 'a' hashes to the FIPS 180-4 digest, in one piece or a thousand")
    func millionA() {
        let digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == digest)

        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }
        #expect(hasher.finalizeHex() == digest)
    }

    /// Lengths around the padding boundaries; the digests are Python's hashlib over the same bytes.
    @Test(
        "lengths around the block and padding boundaries match hashlib",
        arguments: [
            (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (1, "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5"),
            (55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"),
            (56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"),
            (57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"),
            (63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"),
            (64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"),
            (65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"),
            (111, "67d9492e628fd376e0b2efec8ca2b99b123e202cf620deb270728df979b2f73e"),
            (112, "96b928cff8528dbb99602c709a65b846cb6467acb8b722f0d758e4dc27bfc508"),
            (119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"),
            (120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"),
            (127, "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07"),
            (128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"),
            (129, "307f8fc2c1622b92762e818d39a185d4d667ad49a4b07ceae1f4afa008a93ec4"),
            (1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"),
        ]
    )
    func boundaryLengths(length: Int, digest: String) {
        #expect(SHA256.hexDigest(pattern(length)) == digest)
    }

    @Test("an update split in two at every boundary equals one-shot")
    func splitAtEveryBoundary() {
        let message = pattern(200)
        let expected = SHA256.hash(message)
        var mismatches: [Int] = []
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            if hasher.finalize() != expected { mismatches.append(split) }
        }
        #expect(mismatches == [])
    }

    @Test("streaming in chunks of any size equals one-shot", arguments: [1, 3, 7, 55, 63, 64, 65, 100, 999])
    func streamingChunks(chunkSize: Int) {
        let message = pattern(1000)
        var hasher = SHA256()
        var offset = 0
        while offset < message.count {
            let end = min(offset + chunkSize, message.count)
            hasher.update(message[offset..<end])
            offset = end
        }
        #expect(hasher.finalizeHex() == "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371")
    }

    @Test("finalize leaves the hasher usable, and a copy forks the state")
    func finalizeIsNonDestructive() {
        var hasher = SHA256()
        hasher.update("ab")
        let fork = hasher
        #expect(hasher.finalize() == SHA256.hash("ab"))
        hasher.update("c")
        #expect(hasher.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(fork.finalize() == SHA256.hash("ab"))
    }

    @Test("strings hash as their UTF-8 bytes, whether String, Substring, UTF-8 view or another sequence")
    func inputForms() {
        let text = "héllo wörld ✓"
        let digest = "c2a59c71097b678dc5af2eb1f98ddc575b63948b0fa6740071a945673aaada4d"
        #expect(SHA256.hexDigest(text) == digest)
        #expect(SHA256.hexDigest(Substring("[" + text + "]").dropFirst().dropLast()) == digest)
        #expect(SHA256.hexDigest(text.utf8) == digest)
        #expect(SHA256.hexDigest(AnySequence(Array(text.utf8))) == digest)
        var hasher = SHA256()
        Array(text.utf8).withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalizeHex() == digest)
    }

    /// Speed is measured by a benchmark, not here; this checks a large input hashes correctly (cross-checked
    /// with Python's hashlib).
    @Test("a megabyte hashes to the same digest as hashlib's")
    func megabyte() {
        let digest = SHA256.hexDigest(pattern(1 << 20))
        #expect(digest == "172c15dc2e12b50e523d8e657cbe7fbb11c1053252bbf1e1431077d57d8128fd")
    }
}

/// Bytes `(i * 7 + 3) mod 256` for i in 0..<count, the pattern the hashlib cross-check used.
private func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
}
