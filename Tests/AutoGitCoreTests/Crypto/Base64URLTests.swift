import AutoGitCore
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 §10, with the padding removed.
    @Test(
        "RFC 4648 test vectors encode without padding and decode back",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
    )
    func rfc4648Vectors(text: String, encoded: String) {
        #expect(Base64URL.encode(text.utf8) == encoded)
        #expect(Base64URL.decode(encoded) == Array(text.utf8))
    }

    @Test("the URL-safe alphabet uses '-' and '_' where base64 has '+' and '/'")
    func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xef, 0xbe]) == "----")
        #expect(Base64URL.encode([0xff, 0xff, 0xff]) == "____")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.encode([UInt8](0...255)).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test("every length from 0 to 100 bytes round-trips, from arrays and from other sequences")
    func roundTrip() {
        for count in 0...100 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64URL.encode(bytes)
            #expect(encoded.utf8.count == (count * 4 + 2) / 3)
            #expect(Base64URL.encode(AnySequence(bytes)) == encoded)
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test(
        "invalid text is rejected: padding, foreign characters, impossible lengths, non-zero unused bits",
        arguments: [
            "Zg==", "Zm8=", "Zm9v=", "=", "Zm9v+A", "Zm9v/A", "Zm 9v", "Zm9v\n", "Z", "Zm9vY", "Zh", "Zm9", "Zm9v!",
            "Zm9vYmFyé",
        ]
    )
    func rejectsInvalidText(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("substrings decode like strings")
    func substrings() {
        let token = "header.Zm9vYmFy.signature"
        let middle = token.split(separator: ".")[1]
        #expect(Base64URL.decode(middle) == Array("foobar".utf8))
    }
}
