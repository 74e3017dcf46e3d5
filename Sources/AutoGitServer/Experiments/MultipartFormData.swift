import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `multipart/form-data` body (RFC 7578, framed as RFC 2046 multipart): named parts, each with its own headers and
/// bytes.
///
/// The body is `--boundary CRLF headers CRLF CRLF content` for each part, parts separated by `CRLF --boundary`, and
/// the last one closed by `CRLF --boundary--`; anything before the first delimiter (the preamble) and after the
/// close (the epilogue) is ignored. A part's content is taken byte for byte: no transfer encoding is applied (RFC 7578
/// deprecates `Content-Transfer-Encoding`).
struct MultipartFormData: Sendable {
    struct Part: Sendable {
        /// The `name` of its `Content-Disposition: form-data`.
        var name: String
        /// The `filename`, for a file field.
        var filename: String?
        /// Its `Content-Type`, when it has one (`text/plain` is implied otherwise).
        var contentType: String?
        /// Every header of the part, names lowercased.
        var headers: [String: String]
        var body: [UInt8]

        /// The content as UTF-8 text (form fields).
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a body is not valid multipart.
    struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        var description: String
    }

    var parts: [Part]

    /// The first part named `name`.
    func part(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// The `boundary` parameter of a `multipart/form-data` content type, or nil when the type is not that or has no
    /// usable boundary (1-70 characters, RFC 2046).
    static func boundary(fromContentType contentType: String) -> String? {
        let fields = HeaderParameters.split(contentType)
        guard let type = fields.first?.lowercased().trimmingCharacters(in: .whitespaces), type == "multipart/form-data" else {
            return nil
        }
        guard let boundary = HeaderParameters.parameters(of: contentType)["boundary"], (1...70).contains(boundary.utf8.count)
        else { return nil }
        return boundary
    }

    /// Parses `body`, delimited by `boundary`.
    init(parsing body: [UInt8], boundary: String) throws(ParseError) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n".utf8) + delimiter
        // The first delimiter opens the body or follows a preamble that ends with a line break.
        var position: Int
        if body.starts(with: delimiter) {
            position = 0
        } else if let found = Self.find(separator, in: body, from: 0) {
            position = found + 2
        } else {
            throw ParseError(description: "the body has no --\(boundary) delimiter")
        }
        var parts: [Part] = []
        while true {
            var cursor = position + delimiter.count
            // `--` after a delimiter closes the body; otherwise optional padding and a line break open a part.
            if cursor + 2 <= body.count, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { break }
            while cursor < body.count, body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t") { cursor += 1 }
            guard Self.hasLineBreak(body, at: cursor) else {
                throw ParseError(description: "a delimiter is followed by neither a line break nor '--'")
            }
            cursor += 2
            let headers: [UInt8]
            let contentStart: Int
            if Self.hasLineBreak(body, at: cursor) {
                headers = []
                contentStart = cursor + 2
            } else if let end = Self.find(Array("\r\n\r\n".utf8), in: body, from: cursor) {
                headers = Array(body[cursor..<end])
                contentStart = end + 4
            } else {
                throw ParseError(description: "a part's headers do not end with a blank line")
            }
            guard let contentEnd = Self.find(separator, in: body, from: contentStart) else {
                throw ParseError(description: "the body ends before the closing --\(boundary)--")
            }
            parts.append(try Self.part(headers: headers, body: Array(body[contentStart..<contentEnd])))
            position = contentEnd + 2
        }
        self.parts = parts
    }

    private static func hasLineBreak(_ body: [UInt8], at index: Int) -> Bool {
        index + 2 <= body.count && body[index] == 0x0D && body[index + 1] == 0x0A
    }

    private static func part(headers bytes: [UInt8], body: [UInt8]) throws(ParseError) -> Part {
        var headers: [String: String] = [:]
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw ParseError(description: "a part header has no ':' (\(line))") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let disposition = headers["content-disposition"],
            HeaderParameters.split(disposition).first?.trimmingCharacters(in: .whitespaces).lowercased() == "form-data"
        else { throw ParseError(description: "a part has no 'Content-Disposition: form-data'") }
        let parameters = HeaderParameters.parameters(of: disposition)
        guard let name = parameters["name"] else { throw ParseError(description: "a part's Content-Disposition has no name") }
        return Part(name: name, filename: parameters["filename"], contentType: headers["content-type"], headers: headers, body: body)
    }

    /// The first index at or after `start` where `needle` occurs in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                let base = hay.baseAddress!
                let last = hay.count - pin.count
                var position = start
                while position <= last {
                    // memchr finds candidates for the first byte quickly; memcmp checks the rest.
                    guard let found = memchr(base + position, Int32(pin[0]), last - position + 1) else { return nil }
                    let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + index, pin.baseAddress!, pin.count) == 0 { return index }
                    position = index + 1
                }
                return nil
            }
        }
    }
}

/// `type; name="value"; other=token` header values (Content-Type, Content-Disposition).
enum HeaderParameters {
    /// The value split at semicolons that are not inside quotes.
    static func split(_ value: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && inQuotes {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                current.append(character)
                inQuotes.toggle()
            } else if character == ";" && !inQuotes {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// The `name=value` parameters after the first field, names lowercased, quoted values unquoted.
    static func parameters(of value: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in split(value).dropFirst() {
            guard let equals = field.firstIndex(of: "=") else { continue }
            let name = field[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var raw = field[field.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") {
                raw = String(raw.dropFirst().dropLast())
                var unescaped = ""
                var escaped = false
                for character in raw {
                    if escaped || character != "\\" {
                        unescaped.append(character)
                        escaped = false
                    } else {
                        escaped = true
                    }
                }
                raw = unescaped
            }
            if result[name] == nil { result[name] = raw }
        }
        return result
    }
}
