import AutoGitHTTP

/// Counts each request by method, matched route template and status, and times it, for `GET /metrics`.
/// A streamed response is timed until its head is ready.
struct MetricsMiddleware: Middleware {
    let metrics: RequestMetrics

    func handle(_ request: HTTPRequest, next: HTTPHandler) async throws -> HTTPResponse {
        var request = request
        let route = MatchedRoute()
        request.attributes[MatchedRoute.Key.self] = route
        let start = ContinuousClock.now
        do {
            let response = try await next(request)
            record(request, route, status: response.status.code, since: start)
            return response
        } catch {
            record(request, route, status: (error as? HTTPError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(_ request: HTTPRequest, _ route: MatchedRoute, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.record(method: request.method.rawValue, route: route.path ?? "unmatched", status: status, seconds: seconds)
    }
}
