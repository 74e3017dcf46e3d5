/// Base64url (RFC 4648 §5) without padding, as JWTs, API tokens and password hashes use it: the URL- and
/// filename-safe alphabet, with `-` and `_` in place of `+` and `/`.
///
/// Decoding is strict, so that each byte string has exactly one accepted text: it rejects `=` padding, characters
/// outside the alphabet (`+`, `/` and whitespace included), a length of 1 more than a multiple of 4, and non-zero
/// unused bits in the last character.
public enum Base64URL {
    /// Returns the unpadded base64url text of `bytes`: 4 characters per 3 bytes, and 2 or 3 for a final 1 or 2.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let encoded: String? = bytes.withContiguousStorageIfAvailable { encode(UnsafeRawBufferPointer($0)) }
        return encoded ?? Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Decodes unpadded base64url text, or returns `nil` when `text` is not strictly valid (see ``Base64URL``).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        let remainder = characters.count % 4
        guard remainder != 1 else { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3 + 2)
        var index = 0
        while index + 4 <= characters.count {
            guard let a = value(characters[index]), let b = value(characters[index + 1]),
                let c = value(characters[index + 2]), let d = value(characters[index + 3])
            else { return nil }
            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            output.append(UInt8(truncatingIfNeeded: group >> 8))
            output.append(UInt8(truncatingIfNeeded: group))
            index += 4
        }
        switch remainder {
        case 2:
            guard let a = value(characters[index]), let b = value(characters[index + 1]), b & 0x0f == 0 else {
                return nil
            }
            output.append(a << 2 | b >> 4)
        case 3:
            guard let a = value(characters[index]), let b = value(characters[index + 1]),
                let c = value(characters[index + 2]), c & 0x03 == 0
            else { return nil }
            output.append(a << 2 | b >> 4)
            output.append(b << 4 | c >> 2)
        default:
            break
        }
        return output
    }

    private static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let count = bytes.count
        let tail = count % 3
        let outputCount = count / 3 * 4 + (tail == 0 ? 0 : tail + 1)
        return String(unsafeUninitializedCapacity: outputCount) { output in
            var out = 0
            var index = 0
            while index + 3 <= count {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                output[out] = character(group >> 18)
                output[out + 1] = character(group >> 12)
                output[out + 2] = character(group >> 6)
                output[out + 3] = character(group)
                out += 4
                index += 3
            }
            if tail == 1 {
                let group = UInt32(bytes[index]) << 16
                output[out] = character(group >> 18)
                output[out + 1] = character(group >> 12)
                out += 2
            } else if tail == 2 {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                output[out] = character(group >> 18)
                output[out + 1] = character(group >> 12)
                output[out + 2] = character(group >> 6)
                out += 3
            }
            return out
        }
    }

    /// The alphabet character for the low six bits of `sixBits`.
    @inline(__always)
    private static func character(_ sixBits: UInt32) -> UInt8 {
        let value = UInt8(truncatingIfNeeded: sixBits & 0x3f)
        switch value {
        case 0..<26: return UInt8(ascii: "A") + value
        case 26..<52: return UInt8(ascii: "a") + value - 26
        case 52..<62: return UInt8(ascii: "0") + value - 52
        case 62: return UInt8(ascii: "-")
        default: return UInt8(ascii: "_")
        }
    }

    /// The six-bit value of an alphabet character, or `nil` for any other byte.
    @inline(__always)
    private static func value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
