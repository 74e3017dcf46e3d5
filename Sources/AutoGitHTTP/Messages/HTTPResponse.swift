import Foundation

/// A response: status, headers and a body that is either all in memory or produced over time.
///
/// The server adds `Date`, `Content-Length` or `Transfer-Encoding`, and `Connection` itself; values a handler sets
/// for those are replaced, so framing can never disagree with what is sent.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    /// What follows the head.
    public enum Body: Sendable {
        /// A complete body, sent with `Content-Length`.
        case bytes([UInt8])
        /// Chunks sent as they come with chunked transfer encoding (to HTTP/1.0 clients: raw, then close).
        case stream(ResponseStream<[UInt8]>)
        /// Server-Sent Events, framed per the WHATWG spec, with heartbeat comments while the sequence is quiet.
        case serverSentEvents(ResponseStream<ServerSentEvent>)
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .bytes(bytes))
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], bytes: Array(text.utf8))
    }

    /// An `application/json` response. The default encoder sorts keys so output is stable (Linux orders keys
    /// differently run to run otherwise); pass your own for other strategies.
    public static func json(
        _ value: some Encodable, status: HTTPStatus = .ok, encoder: JSONEncoder? = nil
    ) throws
        -> HTTPResponse
    {
        let data = try (encoder ?? HTTPResponse.makeJSONEncoder()).encode(value)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], bytes: Array(data))
    }

    /// A chunked streaming response; cancelling (client gone, shutdown) cancels the task iterating `chunks`.
    public static func stream<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, status: HTTPStatus = .ok, contentType: String = "application/octet-stream"
    ) -> HTTPResponse where Chunks.Element == [UInt8] {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .stream(ResponseStream(chunks)))
    }

    /// A Server-Sent Events response (`text/event-stream`, `Cache-Control: no-cache`). When the client disconnects
    /// or the server shuts down, the task iterating `events` is cancelled, so an `AsyncStream`'s `onTermination` runs.
    public static func serverSentEvents<Events: AsyncSequence & Sendable>(
        _ events: Events, status: HTTPStatus = .ok
    )
        -> HTTPResponse where Events.Element == ServerSentEvent
    {
        HTTPResponse(
            status: status,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"],
            body: .serverSentEvents(ResponseStream(events))
        )
    }

    /// An encoder with `.sortedKeys`, so JSON text is deterministic.
    public static func makeJSONEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The body's size when known in advance (bytes bodies).
    public var knownBodyCount: Int? {
        if case .bytes(let bytes) = body { return bytes.count }
        return nil
    }
}
