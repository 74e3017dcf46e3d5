/// Parses a request head (request line and header fields) from a byte buffer.
///
/// Strict where leniency enables smuggling or header injection (bare CR, obs-fold, whitespace before the colon, control
/// characters) and lenient where RFC 9112 allows (bare LF line ends, empty lines before the request line).
struct HeadParser {
    var maxHeaderBytes: Int
    var maxHeaderCount = 100
    /// Where the search for the end of the head resumes, so trickled bytes are not rescanned.
    private var scanned = 0

    init(maxHeaderBytes: Int) {
        self.maxHeaderBytes = maxHeaderBytes
    }

    enum Result {
        case incomplete
        case complete(RequestHead, consumed: Int)
    }

    mutating func reset() {
        scanned = 0
    }

    /// Looks for a complete head at the start of `buffer`; throws once the head is malformed or over the limit.
    mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Result {
        // Skip empty lines that some clients send between pipelined requests.
        var start = 0
        while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
            start += 1
            if start > 8 { throw .bad("Unexpected empty lines before the request line.") }
        }
        guard let end = findEndOfHead(buffer, from: start) else {
            if buffer.count - start > maxHeaderBytes { throw .headersTooLarge }
            return .incomplete
        }
        if end.headEnd - start > maxHeaderBytes { throw .headersTooLarge }
        scanned = 0
        let head = try parseHead(UnsafeBufferPointer(rebasing: buffer[start..<end.headEnd]))
        return .complete(head, consumed: end.consumed)
    }

    /// Finds the empty line ending the head: returns the end of the last header line and the bytes to consume.
    private mutating func findEndOfHead(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> (headEnd: Int, consumed: Int)? {
        var index = max(start, scanned)
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                // The line after this LF is empty if it is LF or CRLF.
                let next = index + 1
                if next < buffer.count && buffer[next] == UInt8(ascii: "\n") {
                    return (index + 1, next + 1)
                }
                if next + 1 < buffer.count && buffer[next] == UInt8(ascii: "\r") && buffer[next + 1] == UInt8(ascii: "\n") {
                    return (index + 1, next + 2)
                }
                if next >= buffer.count || (next + 1 >= buffer.count && buffer[next] == UInt8(ascii: "\r")) {
                    scanned = index
                    return nil
                }
            }
            index += 1
        }
        scanned = buffer.count
        return nil
    }

    private func parseHead(_ head: UnsafeBufferPointer<UInt8>) throws(ParseError) -> RequestHead {
        var requestLine: (HTTPMethod, String, HTTPVersion)?
        var headers = HTTPHeaders()
        var fieldCount = 0
        var lineStart = 0
        for index in 0..<head.count where head[index] == UInt8(ascii: "\n") {
            var lineEnd = index
            if lineEnd > lineStart && head[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: head[lineStart..<lineEnd])
            lineStart = index + 1
            if requestLine == nil {
                requestLine = try parseRequestLine(line)
                continue
            }
            fieldCount += 1
            if fieldCount > maxHeaderCount { throw .headersTooLarge }
            let (name, value) = try parseField(line)
            headers.add(name: name, value: value)
        }
        guard let (method, target, version) = requestLine else { throw .bad("Missing request line.") }
        if version == .http1_1 {
            // RFC 9112 §3.2: exactly one Host field in HTTP/1.1.
            if headers.count(of: "Host") != 1 { throw .bad("HTTP/1.1 requests need exactly one Host header.") }
        }
        if method == .connect {
            throw ParseError(status: .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "CONNECT is not supported.")
        }
        if target == "*" && method != .options { throw .bad("The asterisk target is only for OPTIONS.") }
        if !RequestTarget.isAcceptable(target) { throw .bad("Unsupported request target form.") }
        return RequestHead(method: method, target: target, version: version, headers: headers)
    }

    private func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> (HTTPMethod, String, HTTPVersion) {
        // Exactly two single spaces: `METHOD SP target SP HTTP/x.y`.
        guard let firstSpace = line.firstIndex(of: UInt8(ascii: " ")) else { throw .bad("Malformed request line.") }
        guard let secondSpace = line[(firstSpace + 1)...].firstIndex(of: UInt8(ascii: " ")) else {
            throw .bad("Malformed request line.")
        }
        let method = line[..<firstSpace]
        let target = line[(firstSpace + 1)..<secondSpace]
        let version = line[(secondSpace + 1)...]
        guard !version.contains(UInt8(ascii: " ")) else { throw .bad("Malformed request line.") }
        guard !method.isEmpty, method.count <= 32, method.allSatisfy(Self.isTokenByte) else {
            throw .bad("Malformed request method.")
        }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .bad("Malformed request target.") }
        let v = version.startIndex
        guard version.count == 8, line[v] == UInt8(ascii: "H"), line[v + 1] == UInt8(ascii: "T"),
            line[v + 2] == UInt8(ascii: "T"), line[v + 3] == UInt8(ascii: "P"), line[v + 4] == UInt8(ascii: "/"),
            let major = Self.digit(line[v + 5]), line[v + 6] == UInt8(ascii: "."), let minor = Self.digit(line[v + 7])
        else { throw .bad("Malformed HTTP version.") }
        guard major == 1 else {
            throw ParseError(status: .httpVersionNotSupported, code: "HTTP_VERSION_NOT_SUPPORTED", message: "Only HTTP/1.x is supported.")
        }
        return (Self.method(method), String(decoding: target, as: UTF8.self), HTTPVersion(major: 1, minor: minor == 0 ? 0 : 1))
    }

    /// The shared value for the common methods (no string allocation), a new one for the rest.
    private static func method(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> HTTPMethod {
        let candidate: HTTPMethod? =
            switch (bytes.count, bytes.first) {
            case (3, UInt8(ascii: "G")): .get
            case (3, UInt8(ascii: "P")): .put
            case (4, UInt8(ascii: "P")): .post
            case (4, UInt8(ascii: "H")): .head
            case (5, UInt8(ascii: "P")): .patch
            case (6, UInt8(ascii: "D")): .delete
            case (7, UInt8(ascii: "O")): .options
            default: nil
            }
        if let candidate, candidate.rawValue.utf8.elementsEqual(bytes) { return candidate }
        return HTTPMethod(rawValue: String(decoding: bytes, as: UTF8.self))
    }

    /// Parses `name: value`; shared with chunked trailers.
    static func parseField(_ line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> (String, String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                throw .bad("Folded header lines are not accepted.")
            }
            throw .bad("Malformed header line.")
        }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .bad("Malformed header name.") }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd && (line[valueStart] == 0x20 || line[valueStart] == 0x09) { valueStart += 1 }
        while valueEnd > valueStart && (line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09) { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        // Field values: visible characters, obs-text, space and tab; CR, LF, NUL and other controls are refused.
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else { throw .bad("Control character in a header value.") }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private func parseField(_ line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> (String, String) {
        try Self.parseField(line)
    }

    static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// RFC 9110 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
