#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HTTPServer {
    /// Where to listen and the limits that keep one client from hurting the others. Defaults suit a server
    /// behind a reverse proxy; tests shrink the timeouts.
    public struct Configuration: Sendable {
        /// An IP literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) or `localhost`. Loopback by default: exposing the
        /// server is a deliberate choice.
        public var host = "127.0.0.1"
        /// 0 picks a free port; read the chosen one from `HTTPServer.port` after `start()`.
        public var port = 8080
        /// Event-loop threads; one per active core by default.
        public var eventLoopCount = Configuration.activeCores
        /// Request line plus header fields; larger heads get 431 and the connection is closed.
        public var maxHeaderBytes = 16 * 1024
        /// Request bodies, declared or chunked; larger ones get 413 and the connection is closed.
        public var maxBodyBytes = 8 * 1024 * 1024
        /// Open connections across all loops; beyond it a new connection gets 503 and is closed.
        public var maxConnections = 4096
        /// Time allowed to receive a complete request head, from its first byte (or from accept): a client that
        /// trickles headers (slowloris) is answered 408 and closed.
        public var headerReadTimeout: Duration = .seconds(10)
        /// Time allowed to receive a request body once its head has arrived.
        public var bodyReadTimeout: Duration = .seconds(60)
        /// How long a keep-alive connection may sit between requests before it is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// How long pending output may make no progress (a client that stops reading) before the connection is dropped.
        public var writeTimeout: Duration = .seconds(60)
        /// When set, a handler that has not produced a response head in this time is cancelled and the client
        /// gets 503 `REQUEST_TIMEOUT`. Streams that have started are not limited by it.
        public var requestTimeout: Duration?
        /// A `: heartbeat` comment is sent on quiet Server-Sent Event streams this often, which keeps proxies from
        /// timing the stream out and detects departed clients.
        public var sseHeartbeatInterval: Duration = .seconds(15)
        /// Default time `shutdown()` gives in-flight requests before closing everything.
        public var shutdownGracePeriod: Duration = .seconds(10)
        /// The `Server` header, omitted when nil.
        public var serverName: String?
        /// Runs handler tasks on the event loop that owns the connection (no thread hop for handlers that do not
        /// suspend elsewhere); set false to run them on the global concurrent executor when handlers do heavy
        /// synchronous work.
        public var runsHandlersOnEventLoops = true
        /// The listen backlog.
        public var backlog: Int32 = 1024

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }

        /// Online processors, at least 1.
        public static var activeCores: Int {
            max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }
    }
}

extension Duration {
    /// Whole nanoseconds, clamped at zero.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
