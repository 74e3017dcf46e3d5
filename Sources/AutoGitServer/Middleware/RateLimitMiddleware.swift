import AutoGitCore
import AutoGitHTTP
import Foundation

/// Token buckets per token, or per client IP address without one (`rate_limits` in the configuration). Every
/// answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`; over the limit the answer is
/// 429 `RATE_LIMIT_EXCEEDED` with `Retry-After`. Runner tokens have their own, higher budget, so a busy fleet never
/// throttles itself; bulk operations have a bucket of their own a tenth the size. `/v1/health` and `/metrics` are
/// exempt, and `rate_limits.enabled: false` switches it off.
struct RateLimitMiddleware: Middleware {
    static let exemptPaths: Set<String> = ["/v1/health", "/metrics"]

    let context: APIContext
    let clock: @Sendable () -> Double

    init(context: APIContext, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.context = context
        self.clock = clock
    }

    func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        let limits = context.configuration.current.rateLimits
        guard limits.enabled, !Self.exemptPaths.contains(request.path) else { return try await next(request) }
        var key: String
        var limit: Int
        if let principal = request.principal, principal.kind != .anonymous {
            key = principal.rateLimitKey
            limit = principal.role == .runner ? limits.runnerPerMinute : limits.authenticatedPerMinute
        } else {
            key = "ip:" + Self.host(of: request.remoteAddress)
            limit = limits.unauthenticatedPerMinute
        }
        // One bulk request can touch the whole fleet: it has a bucket of its own, a tenth the size.
        if request.path == "/v1/runners/bulk" {
            key += ":bulk"
            limit = max(1, limit / 10)
        }
        let now = clock()
        let decision = context.rateLimiter.consume(key, limit: limit, now: now)
        var response: HTTPResponse
        if decision.isAllowed {
            response = try await next(request)
        } else {
            response = ServerError(
                .rateLimitExceeded, status: 429, "Too many requests: \(decision.limit) per minute; retry in \(decision.retryAfterSeconds)s",
                details: ["limit": .number(Double(decision.limit)), "retry_after": .number(Double(decision.retryAfterSeconds))]
            )
            .httpError.response(requestID: request.requestID)
            response.headers["Retry-After"] = String(decision.retryAfterSeconds)
        }
        response.headers["X-RateLimit-Limit"] = String(decision.limit)
        response.headers["X-RateLimit-Remaining"] = String(decision.remaining)
        response.headers["X-RateLimit-Reset"] = String(Int64(now.rounded(.up)) + Int64(decision.resetSeconds))
        return response
    }

    /// The address without its port: `127.0.0.1:5000` → `127.0.0.1`, `[::1]:5000` → `::1`.
    static func host(of address: String?) -> String {
        guard let address else { return "unknown" }
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        guard let colon = address.lastIndex(of: ":") else { return address }
        return String(address[..<colon])
    }
}
