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
    public typealias Handler = @Sendable (HTTPRequestData) async throws -> HTTPResponseData

    let handler: Handler

    public init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try Task.checkCancellation()
        return try await handler(request)
    }
}
