import Foundation

/// What carries requests to a server: one method, so a test, a proxy or another HTTP stack can stand in for
/// URLSession.
///
/// ``URLSessionTransport`` is the default; ``InProcessTransport`` answers from a closure, for tests. A transport
/// answers as soon as the response head (status and headers) is known; the body follows as an async sequence of
/// byte chunks, so streams (Server-Sent Events, downloads) are delivered as they arrive. A transport throws only
/// when no response arrives (the connection failed, the task was cancelled); HTTP error statuses are responses.
///
/// Cancelling the task that awaits ``send(_:)``, or the task reading the response body, must cancel the
/// underlying request.
public protocol Transport: Sendable {
    /// Sends `request` and returns the response once its head has arrived.
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData
}

/// An HTTP request as a transport sees it: method, absolute URL, headers, body bytes.
public struct HTTPRequestData: Sendable {
    /// `GET`, `POST` …, in capitals.
    public var method: String
    /// The absolute URL, query included, already percent-encoded.
    public var url: URL
    /// The headers to send, credentials included.
    public var headers: HTTPHeaders
    /// The body bytes, or `nil` for none.
    public var body: Data?
    /// How long the connection may stay silent before the transport gives up (an idle timeout). `nil` leaves the
    /// transport's default. The client enforces the whole request's deadline itself.
    public var idleTimeout: Duration?

    /// A request with these parts.
    public init(method: String, url: URL, headers: HTTPHeaders = HTTPHeaders(), body: Data? = nil, idleTimeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idleTimeout = idleTimeout
    }
}

/// An HTTP response as a transport returns it: status, headers, and a body that may still be arriving.
public struct HTTPResponseData: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPHeaders
    /// The body, in memory or still arriving; read it once.
    public var body: HTTPBody

    /// A response with these parts (an empty body by default).
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: HTTPBody = HTTPBody()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A response body: bytes already in memory, or chunks still arriving from the network.
///
/// A streamed body can be read once. Stopping the iteration early, by cancelling the reading task, cancels the
/// request that produces it.
public struct HTTPBody: AsyncSequence, Sendable {
    /// A chunk of bytes as it arrived.
    public typealias Element = Data

    enum Storage: Sendable {
        case data(Data)
        case stream(AsyncThrowingStream<Data, any Error>, cancel: @Sendable () -> Void)
    }

    let storage: Storage

    /// An empty body.
    public init() {
        storage = .data(Data())
    }

    /// A body of `data`, all there at once.
    public init(_ data: Data) {
        storage = .data(data)
    }

    /// A body of the UTF-8 bytes of `text`.
    public init(_ text: String) {
        storage = .data(Data(text.utf8))
    }

    /// A body whose chunks arrive through `stream`; `onCancel` is called when the reader stops early.
    public init(stream: AsyncThrowingStream<Data, any Error>, onCancel: @escaping @Sendable () -> Void = {}) {
        storage = .stream(stream, cancel: onCancel)
    }

    /// Cancels the request producing a streamed body; a body in memory ignores it.
    public func cancel() {
        if case .stream(_, let cancel) = storage { cancel() }
    }

    /// Reads the whole body, throwing when it exceeds `maxBytes`.
    public func collect(upTo maxBytes: Int = .max) async throws -> Data {
        switch storage {
        case .data(let data):
            guard data.count <= maxBytes else { throw BodyTooLarge(limit: maxBytes) }
            return data
        case .stream(let stream, let cancel):
            var result = Data()
            for try await chunk in stream {
                guard result.count + chunk.count <= maxBytes else {
                    cancel()
                    throw BodyTooLarge(limit: maxBytes)
                }
                result.append(chunk)
            }
            return result
        }
    }

    /// Iterates over the body's chunks as they arrive.
    public func makeAsyncIterator() -> Iterator {
        switch storage {
        case .data(let data): Iterator(pending: data.isEmpty ? nil : data, stream: nil)
        case .stream(let stream, _): Iterator(pending: nil, stream: stream.makeAsyncIterator())
        }
    }

    /// Reads a body's chunks in order.
    public struct Iterator: AsyncIteratorProtocol {
        var pending: Data?
        var stream: AsyncThrowingStream<Data, any Error>.AsyncIterator?

        /// The next chunk, or `nil` at the end; throws when the connection fails.
        public mutating func next() async throws -> Data? {
            if let chunk = pending {
                pending = nil
                return chunk
            }
            return try await stream?.next()
        }
    }

    struct BodyTooLarge: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "The response body is larger than \(limit) bytes" }
    }
}
