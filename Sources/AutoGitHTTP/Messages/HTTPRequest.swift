import Foundation

/// A complete request: head plus the whole body (bodies are buffered up to the server's `maxBodyBytes`).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent (`/v1/jobs?limit=10`).
    public var target: String
    /// The path part of the target, still percent-encoded, so `%2F` inside a segment is not mistaken for a separator.
    public var path: String
    /// The raw query string without the `?`, or nil when the target had none.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Trailer fields of a chunked request body.
    public var trailers: HTTPHeaders
    /// The peer's address as `host:port` (`[::1]:port` for IPv6), or nil when unknown.
    public var remoteAddress: String?
    /// Values of the matched route's `{name}` segments, percent-decoded; set by the router.
    public var pathParameters: [String: String]
    /// Values that middleware attaches for later stages (request id, authenticated principal…).
    public var attributes: HTTPAttributes
    /// Signalled by the server when the client stops sending while this request is answered; see ``ClientHangUp``.
    public var clientHangUp = ClientHangUp()

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], remoteAddress: String? = nil
    ) {
        self.method = method
        self.target = target
        let (path, query) = RequestTarget.split(target)
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.trailers = HTTPHeaders()
        self.remoteAddress = remoteAddress
        self.pathParameters = [:]
        self.attributes = HTTPAttributes()
    }

    /// The query's `name=value` pairs in order, percent-decoded with `+` as space; repeated names are kept.
    public var queryItems: [HTTPQueryItem] {
        guard let query else { return [] }
        return HTTPQueryItem.parse(query)
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// Every value of query parameter `name` (`?tag=a&tag=b`).
    public func queryValues(_ name: String) -> [String] {
        queryItems.filter { $0.name == name }.map(\.value)
    }

    /// The path parameter `name`, or nil if the route has no such segment.
    public func parameter(_ name: String) -> String? {
        pathParameters[name]
    }

    /// The request id set by `RequestIDMiddleware`.
    public var requestID: String? {
        get { attributes[RequestIDMiddleware.Key.self] }
        set { attributes[RequestIDMiddleware.Key.self] = newValue }
    }

    /// Whether the connection stays open after this request's response, by the version's default and `Connection`.
    public var isKeepAlive: Bool {
        let tokens = headers.tokens(for: "Connection")
        if version == .http1_1 {
            return !tokens.contains("close")
        }
        return tokens.contains("keep-alive")
    }

    /// Decodes the body as JSON; a malformed body throws a 400 `HTTPError` naming the problem, not a decoding error.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        do {
            return try decoder.decode(type, from: Data(body))
        } catch {
            throw HTTPError(.badRequest, code: "INVALID_JSON", message: "The request body is not valid JSON for this endpoint.")
        }
    }
}
