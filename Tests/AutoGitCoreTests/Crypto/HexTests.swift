import AutoGitCore
import Testing

@Suite("Hex")
struct HexTests {
    @Test("encoding writes two lowercase digits per byte")
    func encoding() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.encode("abc".utf8) == "616263")
    }

    @Test("decoding accepts lowercase, uppercase and mixed case")
    func decoding() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("000fa0ff") == [0x00, 0x0f, 0xa0, 0xff])
        #expect(Hex.decode("000FA0FF") == [0x00, 0x0f, 0xa0, 0xff])
        #expect(Hex.decode("DeadBeef") == [0xde, 0xad, 0xbe, 0xef])
    }

    @Test("every byte value round-trips")
    func roundTrip() {
        let bytes = Array(0...255) as [UInt8]
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
    }

    @Test(
        "odd lengths, prefixes, separators and other characters are rejected",
        arguments: ["0", "abc", "0x00", "00 ff", "00:ff", "gg", "0g", " 00", "ä0"]
    )
    func rejectsInvalidText(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
