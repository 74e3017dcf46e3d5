import AutoGitCore
import Foundation
import Testing

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test("equal bytes compare equal, whatever the collection type")
    func equalBytes() {
        let bytes: [UInt8] = Array(0..<32)
        #expect(ConstantTime.equals(bytes, bytes))
        #expect(ConstantTime.equals(bytes, bytes[...]))
        #expect(ConstantTime.equals(bytes, Data(bytes)))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test("a difference in any position is found", arguments: [0, 1, 15, 30, 31])
    func differenceAnywhere(position: Int) {
        let bytes: [UInt8] = Array(0..<32)
        var other = bytes
        other[position] ^= 0x80
        #expect(!ConstantTime.equals(bytes, other))
    }

    @Test("different lengths are unequal, even when one is a prefix of the other")
    func differentLengths() {
        let bytes: [UInt8] = Array(0..<32)
        #expect(!ConstantTime.equals(bytes, bytes.prefix(31)))
        #expect(!ConstantTime.equals(bytes.prefix(0), bytes))
    }

    @Test("strings compare by their UTF-8 bytes, without Unicode normalisation")
    func strings() {
        #expect(ConstantTime.equals("agt_secret", "agt_secret"))
        #expect(ConstantTime.equals("agt_secret", Substring("agt_secret")))
        #expect(!ConstantTime.equals("agt_secret", "agt_Secret"))
        #expect(!ConstantTime.equals("caf\u{E9}", "cafe\u{301}"))
    }
}
