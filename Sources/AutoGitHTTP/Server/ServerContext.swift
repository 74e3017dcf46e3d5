import Synchronization

/// What every loop of one server shares: limits, the composed responder, and the connection count.
final class ServerContext: Sendable {
    let configuration: HTTPServer.Configuration
    let limits: Limits
    let responder: any HTTPResponder
    private let activeConnections = Atomic<Int>(0)

    /// The configuration as the loops use it: plain integers (nanoseconds, bytes), precomputed once.
    struct Limits: Sendable {
        var maxHeaderBytes: Int
        var maxBodyBytes: Int
        var headerReadTimeout: UInt64
        var bodyReadTimeout: UInt64
        var idleTimeout: UInt64
        var writeTimeout: UInt64
        /// 0 when there is none.
        var requestTimeout: UInt64
        var heartbeatInterval: UInt64
        var lingerTimeout: UInt64 = 2_000_000_000
        /// Unparsed input kept per connection before reading pauses.
        var readCap: Int
        /// Pending output above which no further request is started and stream writers wait.
        var highWater = 256 * 1024
        var lowWater = 64 * 1024
        var serverLine: [UInt8]
        var runsHandlersOnEventLoops: Bool
    }

    init(configuration: HTTPServer.Configuration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        limits = Limits(
            maxHeaderBytes: configuration.maxHeaderBytes,
            maxBodyBytes: configuration.maxBodyBytes,
            headerReadTimeout: configuration.headerReadTimeout.nanoseconds,
            bodyReadTimeout: configuration.bodyReadTimeout.nanoseconds,
            idleTimeout: configuration.idleTimeout.nanoseconds,
            writeTimeout: configuration.writeTimeout.nanoseconds,
            requestTimeout: configuration.requestTimeout?.nanoseconds ?? 0,
            heartbeatInterval: configuration.sseHeartbeatInterval.nanoseconds,
            readCap: max(configuration.maxHeaderBytes + 1024, 64 * 1024),
            serverLine: configuration.serverName.map { Array("Server: \(HTTPServer.sanitizedFieldValue($0))\r\n".utf8) } ?? [],
            runsHandlersOnEventLoops: configuration.runsHandlersOnEventLoops
        )
    }

    var connectionCount: Int { activeConnections.load(ordering: .relaxed) }

    /// Takes a slot under `maxConnections`; false means the new connection must be refused.
    func acquireConnectionSlot() -> Bool {
        let after = activeConnections.add(1, ordering: .relaxed).newValue
        if after > configuration.maxConnections {
            activeConnections.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnectionSlot() {
        activeConnections.subtract(1, ordering: .relaxed)
    }

    /// The canned answer for connections over the limit.
    static let refusal: [UInt8] = {
        let body = #"{"error":{"code":"TOO_MANY_CONNECTIONS","message":"The server has too many open connections; retry shortly."}}"#
        return Array(
            ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Retry-After: 1\r\nConnection: close\r\n\r\n" + body).utf8)
    }()
}
