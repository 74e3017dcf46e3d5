import AutoGitHTTP
import Foundation
import Synchronization

/// An HTTP server on loopback that records the webhook deliveries it receives and answers each with the next
/// scripted status (then 200).
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var headers: [String: String]
        var body: [UInt8]
    }

    /// The scripted statuses and what arrived, shared with the route handler.
    private final class State: Sendable {
        let value: Mutex<(statuses: [Int], deliveries: [Delivery])>
        init(statuses: [Int]) { value = Mutex((statuses, [])) }
    }

    private let server: HTTPServer
    private let state: State
    private let arrivals: AsyncStream<Delivery>.Continuation
    let stream: AsyncStream<Delivery>

    init(statuses: [Int] = []) {
        let state = State(statuses: statuses)
        let (stream, arrivals) = AsyncStream.makeStream(of: Delivery.self)
        self.state = state
        self.stream = stream
        self.arrivals = arrivals
        var router = Router()
        router.post("/hook") { request in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.lowercased()] = field.value }
            let delivery = Delivery(headers: headers, body: request.body)
            let status = state.value.withLock { state in
                state.deliveries.append(delivery)
                return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
            }
            arrivals.yield(delivery)
            return HTTPResponse(status: HTTPStatus(code: status))
        }
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.eventLoopCount = 1
        server = HTTPServer(configuration: configuration, responder: router)
    }

    func start() async throws { try await server.start() }

    var url: String { "http://127.0.0.1:\(server.port)/hook" }

    var deliveries: [Delivery] { state.value.withLock { $0.deliveries } }

    func stop() async {
        arrivals.finish()
        await server.shutdown(deadline: .now + .seconds(1))
    }
}
