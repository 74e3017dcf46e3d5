/// Middleware in order around a responder: the first element sees the request first and the response last.
/// The closures are composed once, so a request pays one call per stage.
public struct MiddlewareChain: HTTPResponder {
    private let entry: HTTPHandler

    public init(_ middleware: [any Middleware], responder: some HTTPResponder) {
        var next: HTTPHandler = { request in try await responder.respond(to: request) }
        for stage in middleware.reversed() {
            let inner = next
            next = { request in try await stage.handle(request, next: inner) }
        }
        entry = next
    }

    public func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        try await entry(request)
    }
}
