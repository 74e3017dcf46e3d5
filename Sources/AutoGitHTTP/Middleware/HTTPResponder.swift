/// A request handler: the shape of routes, of a whole router, and of `next` in middleware.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// Anything that answers requests: a `Router`, a `MiddlewareChain`, or your own type.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async throws -> HTTPResponse
}

/// A responder made from a closure.
public struct HandlerResponder: HTTPResponder {
    let handler: HTTPHandler

    public init(_ handler: @escaping HTTPHandler) {
        self.handler = handler
    }

    public func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        try await handler(request)
    }
}
