import Foundation

/// A transport for plain `http://` servers over POSIX sockets, without URLSession: cheaper to start, for programs
/// that make a few requests and exit (the `autogit` CLI) and for servers on loopback or a trusted network.
///
/// ```swift
/// let client = AutoGitClient(baseURL: URL(string: "http://127.0.0.1:8080")!, transport: SocketTransport())
/// ```
///
/// Each request opens its own connection (`Connection: close`) and runs on a thread of its own, off Swift
/// concurrency's cooperative pool: the thread resolves the host (IP literals without a resolver, names through
/// `getaddrinfo`, IPv4 and IPv6, each address in turn), connects without blocking within
/// ``Configuration-swift.struct/connectTimeout``, writes the request, reads the response head (at most
/// ``Configuration-swift.struct/maxResponseHeadBytes``), and returns it. The body follows as an ``HTTPBody`` whose
/// chunks are handed on as they arrive, delimited by `Content-Length`, `Transfer-Encoding: chunked`, or the end of
/// the connection, so Server-Sent Events arrive as the server sends them. Like ``URLSessionTransport``, it reads
/// ahead of a slow reader without a bound.
///
/// The request's ``HTTPRequestData/idleTimeout`` (``Configuration-swift.struct/idleTimeout`` when it has none) is how
/// long the connection may stay silent, at any point. Cancelling the task awaiting ``send(_:)``, cancelling the task
/// reading the body, calling ``HTTPBody/cancel()`` or dropping the body closes the connection at once.
///
/// Failures are the `URLError`s URLSession reports for the same cases, so ``AutoGitError`` classifies them alike:
/// a refused connection is `.cannotConnectToHost` (`SERVER_UNREACHABLE`), an unknown host `.cannotFindHost`, silence
/// `.timedOut`, a connection that breaks or closes early `.networkConnectionLost` (`CONNECTION_LOST`), an answer that
/// is not HTTP/1.x `.badServerResponse`.
///
/// It speaks no TLS: an `https://` URL throws `INVALID_REQUEST`. Use ``URLSessionTransport`` for TLS, proxies and
/// HTTP/2. Resolving a host name blocks the request's thread, and cancelling it takes effect once the name resolves.
public struct SocketTransport: Transport {
    /// Limits of a ``SocketTransport``.
    public struct Configuration: Sendable, Hashable {
        /// How long connecting may take, at most; a request's shorter idle timeout shortens it. Default 10 seconds.
        public var connectTimeout: Duration
        /// How long a connection may stay silent when the request names no idle timeout. Default 60 seconds.
        public var idleTimeout: Duration
        /// The largest response head (status line and headers) accepted, in bytes. Default 64 KiB.
        public var maxResponseHeadBytes: Int

        /// Limits with the defaults described on each property.
        public init(connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxResponseHeadBytes: Int = 64 << 10) {
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.maxResponseHeadBytes = maxResponseHeadBytes
        }
    }

    /// The transport's limits.
    public let configuration: Configuration

    /// A transport with these limits.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether this transport can carry requests to `url`: an `http` URL with a host.
    public static func supports(_ url: URL) -> Bool {
        url.scheme?.lowercased() == "http" && url.host(percentEncoded: false)?.isEmpty == false
    }

    /// Connects, writes `request`, and returns once the response head has arrived; the body streams after.
    ///
    /// - Throws: ``AutoGitError`` `INVALID_REQUEST` for a URL that is not `http://` or a header that cannot be sent;
    ///   a `URLError` when no answer arrives (see the type's discussion); `CancellationError` when cancelled.
    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try Task.checkCancellation()
        let exchange = SocketExchange(request: try SocketRequest(request, configuration: configuration))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { exchange.start(head: $0) }
        } onCancel: {
            exchange.cancel()
        }
    }
}

/// A request made ready for the wire: where to connect, and the bytes to write.
struct SocketRequest: Sendable {
    var url: URL
    var method: String
    /// The host to connect to, an IPv6 literal without its brackets.
    var host: String
    var port: UInt16
    /// `host:port` as written in messages.
    var authority: String
    /// The request head and body, in one piece.
    var bytes: [UInt8]
    var connectTimeout: Duration
    var idleTimeout: Duration
    var maxHeadBytes: Int

    /// Headers the transport writes itself, replacing any the caller set.
    private static let ownHeaders: Set<String> = [
        "host", "content-length", "connection", "transfer-encoding", "keep-alive", "te", "upgrade",
    ]

    init(_ request: HTTPRequestData, configuration: SocketTransport.Configuration) throws(AutoGitError) {
        let url = request.url
        guard url.scheme?.lowercased() == "http" else {
            throw .invalidRequest(
                "SocketTransport speaks plain http:// only, not \(url.scheme.map { "\($0)://" } ?? "a URL without a scheme") "
                    + "(\(url.absoluteString)): use URLSessionTransport for https://")
        }
        guard var host = url.host(percentEncoded: false), !host.isEmpty else {
            throw .invalidRequest("The URL \(url.absoluteString) names no host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = url.port ?? 80
        guard (1...65535).contains(port) else { throw .invalidRequest("The URL \(url.absoluteString) has an invalid port") }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(HTTPResponseHead.isTokenByte) else {
            throw .invalidRequest("Invalid HTTP method \(request.method)")
        }
        var target = url.path(percentEncoded: true)
        if target.isEmpty { target = "/" }
        if let query = url.query(percentEncoded: true) { target += "?" + query }
        guard target.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw .invalidRequest("The URL \(url.absoluteString) has a path that cannot be sent as it is")
        }
        let hostText = host.contains(":") ? "[\(host)]" : host
        let authority = url.port == nil ? hostText : "\(hostText):\(port)"

        var head = "\(request.method) \(target) HTTP/1.1\r\nHost: \(authority)\r\n"
        for field in request.headers where !Self.ownHeaders.contains(field.name.lowercased()) {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(HTTPResponseHead.isTokenByte),
                !field.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 })
            else {
                throw .invalidRequest("The header \(field.name) cannot be sent: invalid name or a line break in its value")
            }
            head += "\(field.name): \(field.value)\r\n"
        }
        if let body = request.body {
            head += "Content-Length: \(body.count)\r\n"
        } else if ["POST", "PUT", "PATCH"].contains(request.method) {
            head += "Content-Length: 0\r\n"
        }
        head += "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if let body = request.body { bytes.append(contentsOf: body) }

        let idle = request.idleTimeout ?? configuration.idleTimeout
        self.url = url
        self.method = request.method
        self.host = host
        self.port = UInt16(port)
        self.authority = hostText + ":\(port)"
        self.bytes = bytes
        self.connectTimeout = min(configuration.connectTimeout, idle)
        self.idleTimeout = idle
        self.maxHeadBytes = max(1024, configuration.maxResponseHeadBytes)
    }
}
