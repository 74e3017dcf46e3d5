/// Decodes an HTTP/1.1 chunked body incrementally: feed it bytes as they arrive, take the payload out.
///
/// Chunk extensions and trailer fields are read and dropped. A malformed size line or a missing CRLF after a chunk
/// is an error; the proxy then ends the stream rather than forward garbage.
struct ChunkedBodyDecoder: Sendable {
    struct MalformedChunk: Error {}

    private enum Phase {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers
        case done
    }

    private var phase = Phase.size
    private var line: [UInt8] = []

    var isDone: Bool {
        if case .done = phase { return true }
        return false
    }

    /// The payload bytes in `bytes`; bytes after the end of the body are ignored.
    mutating func decode(_ bytes: ArraySlice<UInt8>) throws(MalformedChunk) -> [UInt8] {
        var output: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch phase {
            case .size, .dataEnd, .trailers:
                let byte = bytes[index]
                index += 1
                guard byte == 0x0A else {
                    line.append(byte)
                    if line.count > 4096 { throw MalformedChunk() }
                    continue
                }
                if line.last == 0x0D { line.removeLast() }
                let text = line
                line = []
                try endLine(text)
            case .data(let remaining):
                let take = min(remaining, bytes.endIndex - index)
                output.append(contentsOf: bytes[index..<(index + take)])
                index += take
                phase = remaining - take == 0 ? .dataEnd : .data(remaining: remaining - take)
            case .done:
                return output
            }
        }
        return output
    }

    private mutating func endLine(_ text: [UInt8]) throws(MalformedChunk) {
        switch phase {
        case .size:
            let digits = text.prefix { $0 != 0x3B && $0 != 0x20 && $0 != 0x09 }
            guard !digits.isEmpty, digits.count <= 15, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else {
                throw MalformedChunk()
            }
            phase = size == 0 ? .trailers : .data(remaining: size)
        case .dataEnd:
            guard text.isEmpty else { throw MalformedChunk() }
            phase = .size
        case .trailers:
            if text.isEmpty { phase = .done }
        case .data, .done:
            break
        }
    }
}
