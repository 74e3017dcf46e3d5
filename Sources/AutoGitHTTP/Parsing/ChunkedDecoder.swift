/// Decodes a chunked request body incrementally, with its trailers, within a body-size limit.
struct ChunkedDecoder {
    private enum State {
        case size
        case data(remaining: Int)
        case dataEnd(sawCR: Bool)
        case trailers
        case done
    }

    private var state = State.size
    private var line: [UInt8] = []
    private var trailerBytes = 0
    let maxBodyBytes: Int
    let maxTrailerBytes: Int
    private(set) var body: [UInt8] = []
    private(set) var trailers = HTTPHeaders()

    init(maxBodyBytes: Int, maxTrailerBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Consumes as much of `input` as belongs to the body; returns how many bytes were used.
    mutating func feed(_ input: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Int {
        var index = 0
        while index < input.count {
            switch state {
            case .done:
                return index
            case .data(let remaining):
                let take = min(remaining, input.count - index)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<index + take]))
                index += take
                state = remaining == take ? .dataEnd(sawCR: false) : .data(remaining: remaining - take)
            case .dataEnd(let sawCR):
                let byte = input[index]
                index += 1
                if byte == UInt8(ascii: "\n") {
                    state = .size
                } else if byte == UInt8(ascii: "\r") && !sawCR {
                    state = .dataEnd(sawCR: true)
                } else {
                    throw .bad("Chunk data is not followed by CRLF.")
                }
            case .size, .trailers:
                let byte = input[index]
                index += 1
                if byte != UInt8(ascii: "\n") {
                    line.append(byte)
                    if case .size = state, line.count > 1024 { throw .bad("Chunk size line too long.") }
                    if case .trailers = state {
                        trailerBytes += 1
                        if trailerBytes > maxTrailerBytes { throw .headersTooLarge }
                    }
                    continue
                }
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if case .size = state {
                    let size = try Self.parseSize(line)
                    if size > maxBodyBytes - body.count { throw .bodyTooLarge }
                    state = size == 0 ? .trailers : .data(remaining: size)
                } else if line.isEmpty {
                    state = .done
                } else {
                    let field = try line.withUnsafeBufferPointer { (buffer) throws(ParseError) in try HeadParser.parseField(buffer) }
                    trailers.add(name: field.0, value: field.1)
                }
                line.removeAll(keepingCapacity: true)
            }
        }
        return index
    }

    /// `1*HEXDIG [ BWS ";" chunk-ext ]`: no sign, no `0x`, at most 15 digits so it never overflows.
    static func parseSize(_ line: [UInt8]) throws(ParseError) -> Int {
        var size = 0
        var digits = 0
        var index = 0
        while index < line.count, let value = PercentDecoding.hexValue(line[index]) {
            size = size << 4 | Int(value)
            digits += 1
            index += 1
            if digits > 15 { throw .bad("Chunk size too large.") }
        }
        guard digits > 0 else { throw .bad("Invalid chunk size.") }
        while index < line.count && (line[index] == 0x20 || line[index] == 0x09) { index += 1 }
        if index < line.count {
            guard line[index] == UInt8(ascii: ";") else { throw .bad("Invalid chunk size.") }
            guard line[index...].allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else { throw .bad("Invalid chunk extension.") }
        }
        return size
    }
}
