import AutoGitHTTP
import Foundation

/// Builds a server on 127.0.0.1 port 0, runs `body`, and always shuts the server down.
///
/// The timeouts are generous: on a loaded machine a test task may wait seconds for a thread between connecting and
/// sending, and a short header timeout would then close a connection the test has not used yet. Tests of the
/// timeouts themselves set their own.
func withServer<T>(
    host: String = "127.0.0.1",
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    middleware: [any Middleware] = [],
    router: Router = testRouter(),
    _ body: (HTTPServer) async throws -> T
) async throws -> T {
    var configuration = HTTPServer.Configuration(host: host, port: 0)
    configuration.eventLoopCount = 2
    configuration.headerReadTimeout = .seconds(30)
    configuration.idleTimeout = .seconds(30)
    configuration.shutdownGracePeriod = .seconds(2)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, middleware: middleware, responder: router)
    try await server.start()
    do {
        let result = try await body(server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Routes most tests use.
func testRouter() -> Router {
    var router = Router()
    router.get("/hello") { _ in .text("hello") }
    router.post("/echo") { request in
        var response = HTTPResponse(bytes: request.body)
        response.headers["Content-Type"] = "application/octet-stream"
        response.headers["X-Trailer-Count"] = String(request.trailers.count)
        return response
    }
    router.get("/v1/runners/{id}/status") { request in
        .text("runner=\(request.parameter("id") ?? "")")
    }
    router.delete("/v1/runners/{id}") { _ in HTTPResponse(status: .noContent) }
    router.get("/v1/instances/{name}/proxy/{path...}") { request in
        .text("\(request.parameter("name") ?? "")|\(request.parameter("path") ?? "")")
    }
    router.get("/query") { request in
        let items = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
        return .text(items)
    }
    router.get("/slow") { _ in
        try await Task.sleep(for: .milliseconds(300))
        return .text("slow done")
    }
    return router
}
