/// Gives every request an id: the client's `X-Request-ID` when it is sane (1–128 of `A-Za-z0-9._:-`), otherwise
/// a fresh random one. The id is in `request.requestID` for later stages and echoed in the response's `X-Request-ID`.
public struct RequestIDMiddleware: Middleware {
    /// The attribute key under which the id is stored.
    public enum Key: HTTPAttributeKey {
        public typealias Value = String
    }

    public let headerName: String

    public init(headerName: String = "X-Request-ID") {
        self.headerName = headerName
    }

    public func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        var request = request
        let id: String
        if let incoming = request.headers[headerName], Self.isSane(incoming) {
            id = incoming
        } else {
            id = Self.generate()
        }
        request.requestID = id
        var response = try await next(request)
        response.headers[headerName] = id
        return response
    }

    static func isSane(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// 16 lowercase hex digits from the system's secure generator.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.utf8.count) + hex
    }
}
