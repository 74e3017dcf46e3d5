/// Hexadecimal (base 16) encoding of bytes, the one place the project turns bytes into hex and back.
public enum Hex {
    /// Returns two lowercase hexadecimal characters per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes hexadecimal text (upper- or lowercase), or returns `nil` for an odd length or any other character.
    ///
    /// No prefix (`0x`), separators or whitespace are accepted.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count / 2)
        var high: UInt8 = 0
        var isHigh = true
        for character in utf8 {
            guard let nibble = value(of: character) else { return nil }
            if isHigh {
                high = nibble << 4
            } else {
                output.append(high | nibble)
            }
            isHigh.toggle()
        }
        return output
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
