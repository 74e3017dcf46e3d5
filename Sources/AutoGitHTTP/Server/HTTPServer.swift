import Synchronization

#if os(Linux)
import Glibc
#endif

/// A small HTTP/1.1 server: epoll event loops (one per core) own the sockets, and each request runs as a Swift
/// concurrency task through the middleware chain and responder.
///
/// ```swift
/// var router = Router()
/// router.get("/v1/health") { _ in .text("ok") }
/// let server = HTTPServer(configuration: .init(port: 0), middleware: [RequestIDMiddleware(), ErrorMiddleware()], responder: router)
/// try await server.start()
/// print(server.port)
/// await server.shutdown()
/// ```
///
/// Only Linux is supported for now; elsewhere `start()` throws `HTTPServerError.unsupportedPlatform`.
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let context: ServerContext

    private struct State {
        var phase = Phase.idle
        var port = 0
        var listenerFD: Int32 = -1
        #if os(Linux)
        var loops: [EventLoop] = []
        #endif
    }

    private enum Phase {
        case idle
        case running
        case stopping
        case stopped
    }

    private let state = Mutex(State())

    /// `middleware` runs in order around `responder` (the first element sees the request first).
    public init(configuration: Configuration = Configuration(), middleware: [any Middleware] = [], responder: some HTTPResponder) {
        self.configuration = configuration
        let chain: any HTTPResponder = middleware.isEmpty ? responder : MiddlewareChain(middleware, responder: responder)
        context = ServerContext(configuration: configuration, responder: chain)
    }

    public convenience init(
        configuration: Configuration = Configuration(), middleware: [any Middleware] = [], handler: @escaping HTTPHandler
    ) {
        self.init(configuration: configuration, middleware: middleware, responder: HandlerResponder(handler))
    }

    /// The bound port: the configured one, or the one the system chose for port 0. Zero before `start()`.
    public var port: Int { state.withLock { $0.port } }

    /// Connections currently open (those lingering after their last response are not counted).
    public var connectionCount: Int { context.connectionCount }

    /// Binds, listens and starts the event loops. Returns once the server accepts connections.
    public func start() async throws {
        #if os(Linux)
        try state.withLock { state in
            guard state.phase == .idle else { throw HTTPServerError("The server was already started.") }
            let (fd, port) = try SocketAddress.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            var loops: [EventLoop] = []
            do {
                for index in 0..<max(1, configuration.eventLoopCount) {
                    loops.append(try EventLoop(index: index, context: context))
                }
                for (index, loop) in loops.enumerated() {
                    try loop.start(listenerFD: index == 0 ? fd : nil, peers: loops)
                }
            } catch {
                close(fd)
                throw error
            }
            state.listenerFD = fd
            state.port = port
            state.loops = loops
            state.phase = .running
        }
        #else
        throw HTTPServerError.unsupportedPlatform
        #endif
    }

    /// Stops accepting, closes idle connections, ends event streams, and lets in-flight requests finish until
    /// `deadline` (default: now plus `configuration.shutdownGracePeriod`); then closes whatever is left and stops the
    /// loops. Safe to call more than once.
    public func shutdown(deadline: ContinuousClock.Instant? = nil) async {
        #if os(Linux)
        let deadline = deadline ?? .now + configuration.shutdownGracePeriod
        let loops: [EventLoop]? = state.withLock { state in
            guard state.phase == .running else { return nil }
            state.phase = .stopping
            return state.loops
        }
        guard let loops else {
            while state.withLock({ $0.phase == .stopping }) { try? await Task.sleep(for: .milliseconds(5)) }
            return
        }
        for loop in loops { loop.beginDraining() }
        while ContinuousClock.now < deadline && loops.contains(where: { $0.openConnections.load(ordering: .relaxed) > 0 }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for loop in loops { loop.closeAll() }
        for loop in loops { await loop.stop() }
        state.withLock { state in
            if state.listenerFD >= 0 { close(state.listenerFD) }
            state.listenerFD = -1
            state.loops = []
            state.phase = .stopped
        }
        #endif
    }

    /// Header values from handlers are made safe to emit: CR, LF and NUL become spaces (no header injection).
    static func sanitizedFieldValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { return value }
        return String(decoding: value.utf8.map { $0 == 13 || $0 == 10 || $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
}
