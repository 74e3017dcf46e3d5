import AutoGitHTTP
import Foundation

/// Serves a stub's routes over a real loopback socket with AutoGitHTTP, so the agent can be run with its default
/// URLSession transport (long polls, cancellation and all).
struct LoopbackStub {
    typealias Route =
        @Sendable (_ method: String, _ target: String, _ authorization: String?, _ body: [UInt8]) async -> (
            status: Int, body: [UInt8]
        )

    let server: HTTPServer

    static func start(_ route: @escaping Route) async throws -> LoopbackStub {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { (request: HTTPRequest) async throws -> HTTPResponse in
            let answer = await route(request.method.rawValue, request.target, request.headers["Authorization"], request.body)
            var headers = HTTPHeaders()
            if !answer.body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
            return HTTPResponse(status: HTTPStatus(code: answer.status), headers: headers, bytes: answer.body)
        }
        try await server.start()
        return LoopbackStub(server: server)
    }

    var url: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

    func stop() async {
        await server.shutdown(deadline: .now + .seconds(2))
    }
}
