/// A transport that answers from a closure, without a network: for unit tests of request building and decoding,
/// and for programs that embed a server in the same process.
///
/// ```swift
/// let transport = InProcessTransport { request in
///     #expect(request.url.path == "/v1/runners")
///     return HTTPResponseData(status: 200, body: HTTPBody(#"{"items": []}"#))
/// }
/// let client = AutoGitClient(baseURL: URL(string: "http://test")!, transport: transport)
/// ```
public struct InProcessTransport: Transport {
    /// Answers one request, or throws when no answer can be given (as a network failure would).
    public typealias Handler = @Sendable (HTTPRequestData) async throws -> HTTPResponseData

    let handler: Handler

    /// A transport that answers every request with `handler`.
    public init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// Calls the handler, unless the calling task is already cancelled.
    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try Task.checkCancellation()
        return try await handler(request)
    }
}
