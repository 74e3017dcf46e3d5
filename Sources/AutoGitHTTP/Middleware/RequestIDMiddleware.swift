import Synchronization

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

    /// 16 lowercase hex digits: a per-process counter run through the SplitMix64 finaliser keyed by a random
    /// seed. The finaliser is a bijection, so ids never repeat within a process, and the secure seed makes them
    /// differ between processes — without a `getrandom` system call on every request.
    static func generate() -> String {
        let count = RequestIDSequence.counter.add(1, ordering: .relaxed).newValue
        var value = count &+ RequestIDSequence.seed
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        value ^= value >> 31
        return String(unsafeUninitializedCapacity: 16) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<16 {
                let nibble = Int((value >> UInt64(60 - index * 4)) & 0xf)
                buffer[index] = digits.utf8Start[nibble]
            }
            return 16
        }
    }
}

/// The state behind generated request ids.
private enum RequestIDSequence {
    static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    static let counter = Atomic<UInt64>(0)
}
