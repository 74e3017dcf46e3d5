import Foundation

extension AutoGitClient {
    /// How the client authenticates.
    public enum Credentials: Sendable, Hashable {
        /// `Authorization: Bearer <token>`: an API token or a session token from ``Auth-swift.struct/login(username:password:)``.
        case bearer(String)
        /// `X-API-Key: <key>`.
        case apiKey(String)
        /// No credentials: enough for ``System-swift.struct/health()``, ``System-swift.struct/prometheusMetrics()`` and login.
        case none
    }

    /// Timeouts, retries, streaming and identification of a client. Every value has a default.
    ///
    /// To change a value for some calls only, derive a client: `client.with { $0.timeout = .seconds(5) }`.
    public struct Configuration: Sendable {
        /// How long one attempt of a request may take, from sending to the last byte of the answer. Enforced by the
        /// client, so sub-second values work. Long polls add their wait to it; streams apply it until the stream
        /// opens. Default 30 seconds.
        public var timeout: Duration
        /// When and how requests are retried.
        public var retry: RetryPolicy
        /// How streams (followed logs, events) reconnect after a dropped connection.
        public var reconnect: ReconnectPolicy
        /// How long a stream may stay silent before it counts as dropped. The server sends a heartbeat every 15
        /// seconds, so keep this well above that. Default 60 seconds.
        public var streamIdleTimeout: Duration
        /// The `User-Agent` header.
        public var userAgent: String
        /// Headers sent with every request (after the client's own, which they may replace).
        public var additionalHeaders: HTTPHeaders
        /// The largest response body the client reads into memory, in bytes. Default 64 MiB.
        public var maxResponseBytes: Int
        /// What kind of server ``AutoGitClient/baseURL`` is, for the calls of ``AutoGitClient/experiments``: an AutoGit
        /// server, a Runicorn viewer (read through an adapter), or ``ServerKind/automatic`` (the default): AutoGit
        /// until an answer says otherwise, then decided once from the health endpoints.
        public var serverKind: ServerKind

        /// A configuration; every parameter has the default described on its property.
        public init(
            timeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy(), reconnect: ReconnectPolicy = ReconnectPolicy(),
            streamIdleTimeout: Duration = .seconds(60), userAgent: String = "AutoGitClient/1.0 (Swift)",
            additionalHeaders: HTTPHeaders = HTTPHeaders(), maxResponseBytes: Int = 64 << 20, serverKind: ServerKind = .automatic
        ) {
            self.timeout = timeout
            self.retry = retry
            self.reconnect = reconnect
            self.streamIdleTimeout = streamIdleTimeout
            self.userAgent = userAgent
            self.additionalHeaders = additionalHeaders
            self.maxResponseBytes = maxResponseBytes
            self.serverKind = serverKind
        }
    }
}

/// When the client retries a request, and how long it waits in between.
///
/// Idempotent requests (GET, HEAD, PUT, DELETE, and the few POST and PATCH operations the API defines as safe to
/// repeat: heartbeats, job status reports, log uploads, run comparison) are retried on the ``retryableStatuses``
/// (429, 502, 503, 504) and on transport failures (a refused or lost connection, a body cut short, a timeout). Other POST and PATCH requests are not, unless ``mode`` is
/// ``Mode-swift.enum/always``: a lost answer to `POST /v1/jobs` does not tell whether the job was created.
///
/// Between attempts the client waits `initialBackoff * multiplier^(attempt-1)`, at most ``maxBackoff``, with
/// random jitter of up to half that; a `Retry-After` from the server replaces the computed wait. A `Retry-After`
/// longer than ``maxRetryAfter`` is not waited for: the error is thrown with its ``AutoGitError/retryAfter``.
public struct RetryPolicy: Sendable, Hashable {
    /// Which requests may be retried.
    public enum Mode: Sendable, Hashable {
        /// Idempotent requests only (the default).
        case idempotentOnly
        /// Every request, POST and PATCH included.
        case always
        /// None.
        case never
    }

    /// Which requests may be retried. Default ``Mode-swift.enum/idempotentOnly``.
    public var mode: Mode
    /// The most attempts of one request, the first included. 1 disables retries.
    public var maxAttempts: Int
    /// The wait after the first failed attempt, before jitter. Default 250 ms.
    public var initialBackoff: Duration
    /// The longest computed wait between attempts (a `Retry-After` may be longer). Default 10 seconds.
    public var maxBackoff: Duration
    /// How much the wait grows after each failed attempt. Default 2.
    public var multiplier: Double
    /// The longest `Retry-After` the client waits for before retrying.
    public var maxRetryAfter: Duration
    /// The statuses that are retried. Default 429, 502, 503, 504.
    public var retryableStatuses: Set<Int>

    /// A policy; every parameter has the default described on its property.
    public init(
        mode: Mode = .idempotentOnly, maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(250),
        maxBackoff: Duration = .seconds(10), multiplier: Double = 2, maxRetryAfter: Duration = .seconds(60),
        retryableStatuses: Set<Int> = [429, 502, 503, 504]
    ) {
        self.mode = mode
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
        self.maxRetryAfter = maxRetryAfter
        self.retryableStatuses = retryableStatuses
    }

    /// No retries at all.
    public static let disabled = RetryPolicy(mode: .never, maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (`attempt` counts from 1), with jitter.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let base = initialBackoff.seconds * pow(multiplier, Double(max(0, attempt - 1)))
        let capped = min(base, maxBackoff.seconds)
        let jittered = capped * Double.random(in: 0.5...1.0)
        return .milliseconds(Int64(jittered * 1000))
    }
}

/// How a stream (followed logs, events) reconnects after its connection drops.
///
/// A stream's first connection is made like any request, under the ``RetryPolicy``, and its failure ends the
/// stream. Once a stream has been open, the client reconnects after a drop: it waits the server's `retry:` time
/// (or ``initialDelay``), doubling after each failed attempt up to ``maxDelay``, and sends `Last-Event-ID` so nothing
/// is lost or repeated. After ``maxAttempts`` failed reconnections in a row (no event received in between) the
/// stream ends with the last error.
public struct ReconnectPolicy: Sendable, Hashable {
    /// Whether to reconnect at all.
    public var isEnabled: Bool
    /// Failed reconnections in a row before giving up; `nil` for no limit. Default 10.
    public var maxAttempts: Int?
    /// The wait before the first reconnection when the server sent no `retry:` time. Default 1 second.
    public var initialDelay: Duration
    /// The longest wait between reconnections (a longer `retry:` from the server wins). Default 30 seconds.
    public var maxDelay: Duration

    /// A policy; every parameter has the default described on its property.
    public init(isEnabled: Bool = true, maxAttempts: Int? = 10, initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30)) {
        self.isEnabled = isEnabled
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Never reconnect: a dropped connection ends the stream with an error.
    public static let disabled = ReconnectPolicy(isEnabled: false)

    /// The wait before reconnect attempt `attempt` (counting from 1) given the server's `retry:` time.
    func delay(attempt: Int, serverRetry: Duration?) -> Duration {
        let base = (serverRetry ?? initialDelay).seconds * pow(2, Double(max(0, attempt - 1)))
        let capped = min(base, max(maxDelay.seconds, serverRetry?.seconds ?? 0))
        return .milliseconds(Int64(capped * Double.random(in: 0.8...1.0) * 1000))
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension AutoGitClient.Credentials: CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of credentials without the secret (`bearer(…)`), so printing a client never reveals a token.
    public var description: String {
        switch self {
        case .bearer: "bearer(…)"
        case .apiKey: "apiKey(…)"
        case .none: "none"
        }
    }

    /// The same as ``description``: the secret is never shown.
    public var debugDescription: String { description }
}
