/// The head of an HTTP/1.x response as ``SocketTransport`` reads it off the wire: status line and header fields.
struct HTTPResponseHead: Sendable, Equatable {
    /// The status code, 100…599.
    var status: Int
    /// The header fields in the order received.
    var headers: HTTPHeaders

    /// Why a response head (or a chunked body) cannot be read.
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// How the body that follows a head is delimited.
    enum BodyFraming: Sendable, Equatable {
        /// No body at all (a HEAD request, 1xx, 204, 304).
        case none
        /// Exactly this many bytes.
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// Everything until the server closes the connection.
        case untilClose
    }

    /// The index just past the blank line ending a head that starts at `start` in `bytes`, or `nil` while the head
    /// is incomplete.
    static func end(in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard bytes.count - start >= 4 else { return nil }
        var index = start
        // Look for CR LF CR LF; stepping on the last LF keeps the scan linear.
        while index + 3 < bytes.count {
            if bytes[index + 3] != 10 {
                index += bytes[index + 3] == 13 ? 1 : 4
                continue
            }
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    /// Parses a head: `bytes` holds the status line and header lines, each ending in CR LF, and the blank line.
    ///
    /// - Throws: ``Malformed`` for anything but `HTTP/1.x NNN reason`, `name: value` lines, or a folded line.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> HTTPResponseHead {
        var lines = split(bytes)
        guard !lines.isEmpty else { throw Malformed(description: "an empty response head") }
        let statusLine = lines.removeFirst()
        let status = try parseStatusLine(statusLine)
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let first = line.first, first != 32, first != 9 else {
                throw Malformed(description: "a folded header line (obsolete line folding is not accepted)")
            }
            guard let colon = line.firstIndex(of: 58) else {
                throw Malformed(description: "a header line without a colon: \(text(line.prefix(80)))")
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
                throw Malformed(description: "an invalid header name: \(text(name.prefix(80)))")
            }
            headers.add(name: text(name), value: text(trimmed(line[(colon + 1)...])))
        }
        return HTTPResponseHead(status: status, headers: headers)
    }

    /// How the body after this head is delimited, for a request with `method`.
    func framing(requestMethod method: String) throws(Malformed) -> BodyFraming {
        if method == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 { return .none }
        let encodings = headers.values(for: "Transfer-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces().lowercased() }
            .filter { !$0.isEmpty }
        if let last = encodings.last {
            // RFC 9112 §6.3: chunked must come last; any other final coding runs until the connection closes.
            return last == "chunked" ? .chunked : .untilClose
        }
        let values = headers.values(for: "Content-Length")
        guard !values.isEmpty else { return .untilClose }
        let lengths = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingSpaces() }
        let first = lengths[0]
        guard lengths.allSatisfy({ $0 == first }), first.utf8.count <= 18, first.utf8.allSatisfy({ (48...57).contains($0) }),
            let length = Int(first)
        else {
            throw Malformed(description: "an invalid Content-Length: \(lengths.joined(separator: ", "))")
        }
        return .length(length)
    }

    private static func parseStatusLine(_ line: ArraySlice<UInt8>) throws(Malformed) -> Int {
        // HTTP/1.1 200 OK — the reason phrase may be empty or absent.
        let prefix: [UInt8] = Array("HTTP/1.".utf8)
        let start = line.startIndex
        guard line.count >= 12, line.prefix(7).elementsEqual(prefix), (48...57).contains(line[start + 7]), line[start + 8] == 32,
            line.count == 12 || line[start + 12] == 32
        else {
            throw Malformed(description: "an invalid status line: \(text(line.prefix(80)))")
        }
        let digits = line[(start + 9)..<(start + 12)]
        guard digits.allSatisfy({ (48...57).contains($0) }), let status = Int(text(digits)), (100...599).contains(status) else {
            throw Malformed(description: "an invalid status code in: \(text(line.prefix(80)))")
        }
        return status
    }

    /// The lines of `bytes`, each without its CR LF (a bare LF ends a line too).
    private static func split(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == 10 {
            var end = index
            if end > start, bytes[end - 1] == 13 { end -= 1 }
            lines.append(bytes[start..<end])
            start = index + 1
        }
        if start < bytes.endIndex { lines.append(bytes[start...]) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 { slice.removeFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice.removeLast() }
        return slice
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
        default: false
        }
    }
}

/// Decodes a `Transfer-Encoding: chunked` body as its bytes arrive, in whatever pieces the network delivers.
struct ChunkedBodyDecoder: Sendable {
    private enum State: Sendable {
        /// Reading a chunk-size line (size, optional extensions).
        case size
        /// Inside a chunk's data, this many bytes still to come.
        case data(Int)
        /// After a chunk's data: its CR LF.
        case dataEnd
        /// After the last (zero) chunk: trailer lines until a blank one.
        case trailer
        case done
    }

    private var state = State.size
    private var line: [UInt8] = []
    /// The longest chunk-size or trailer line accepted.
    static let maxLineBytes = 4096

    /// Whether the last chunk and the trailer have been read.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Feeds `bytes`; returns the body bytes they carry. Bytes after the end of the body are ignored.
    mutating func decode(_ bytes: [UInt8]) throws(HTTPResponseHead.Malformed) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            switch state {
            case .done:
                return output
            case .data(let remaining):
                let count = min(remaining, bytes.count - index)
                output.append(contentsOf: bytes[index..<index + count])
                index += count
                state = remaining == count ? .dataEnd : .data(remaining - count)
            case .size, .dataEnd, .trailer:
                let byte = bytes[index]
                index += 1
                if case .dataEnd = state, byte != 13, byte != 10 {
                    throw HTTPResponseHead.Malformed(description: "a chunk not followed by CR LF")
                }
                guard byte == 10 else {
                    guard line.count < Self.maxLineBytes else {
                        throw HTTPResponseHead.Malformed(description: "a chunk-size or trailer line longer than \(Self.maxLineBytes) bytes")
                    }
                    line.append(byte)
                    continue
                }
                if line.last == 13 { line.removeLast() }
                try endOfLine()
                line.removeAll(keepingCapacity: true)
            }
        }
        return output
    }

    private mutating func endOfLine() throws(HTTPResponseHead.Malformed) {
        switch state {
        case .size:
            let sizeText = line.prefix { $0 != 59 }  // up to `;` and any chunk extensions
            let digits = String(decoding: sizeText, as: UTF8.self).trimmingSpaces()
            guard !digits.isEmpty, digits.utf8.count <= 15, let size = Int(digits, radix: 16), size >= 0 else {
                throw HTTPResponseHead.Malformed(description: "an invalid chunk size: \(String(decoding: line.prefix(40), as: UTF8.self))")
            }
            state = size == 0 ? .trailer : .data(size)
        case .dataEnd:
            guard line.isEmpty else { throw HTTPResponseHead.Malformed(description: "a chunk not followed by CR LF") }
            state = .size
        case .trailer:
            if line.isEmpty { state = .done }
        case .data, .done:
            break
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
