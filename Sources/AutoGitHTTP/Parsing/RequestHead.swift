/// The parsed request line and header fields, before the body is read.
struct RequestHead {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders

    /// How the body is delimited.
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// Decides body framing, refusing the ambiguous combinations that enable request smuggling
    /// (RFC 9112 §6.3): Transfer-Encoding with Content-Length, differing lengths, non-digit lengths.
    func framing(maxBodyBytes: Int) throws(ParseError) -> Framing {
        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty { throw .bad("Both Transfer-Encoding and Content-Length are present.") }
            if version == .http1_0 { throw .bad("Transfer-Encoding is not allowed in HTTP/1.0.") }
            let codings = headers.tokens(for: "Transfer-Encoding")
            if codings == ["chunked"] { return .chunked }
            if codings.last == "chunked" {
                throw ParseError(status: .notImplemented, code: "NOT_IMPLEMENTED", message: "Only chunked transfer coding is supported.")
            }
            throw .bad("The final transfer coding must be chunked.")
        }
        guard !contentLengths.isEmpty else { return .none }
        var length: Int?
        for field in contentLengths {
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = part.trimmingASCIIWhitespace()
                guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    throw .bad("Content-Length is not a non-negative integer.")
                }
                // More digits than any allowed body could need: too large, and never overflows Int.
                let value = digits.utf8.count > 15 ? Int.max : Int(digits)!
                if let length, length != value { throw .bad("Conflicting Content-Length values.") }
                length = value
            }
        }
        let value = length ?? 0
        if value > maxBodyBytes { throw .bodyTooLarge }
        return value == 0 ? .none : .length(value)
    }
}
