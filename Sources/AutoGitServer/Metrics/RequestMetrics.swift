import Synchronization

/// Counts of served requests by method, route template and status, and a latency histogram per route template,
/// for `GET /metrics`.
///
/// Routes are templates (`/v1/runners/{id}`), never raw paths, so the number of series stays bounded whatever
/// clients send; requests that match no route are counted under `unmatched`.
final class RequestMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Latency: Sendable {
        /// Observations at or below each bound (not cumulative; rendering accumulates).
        var buckets = [Int](repeating: 0, count: RequestMetrics.bounds.count)
        var count = 0
        var sum = 0.0
    }

    struct Key: Hashable, Sendable {
        var method: String
        var route: String
        var status: Int
    }

    private struct State {
        var requests: [Key: Int] = [:]
        var latencies: [String: Latency] = [:]
    }

    private let state = Mutex(State())

    func record(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[Key(method: method, route: route, status: status), default: 0] += 1
            var latency = state.latencies[route] ?? Latency()
            if let bucket = Self.bounds.firstIndex(where: { seconds <= $0 }) { latency.buckets[bucket] += 1 }
            latency.count += 1
            latency.sum += seconds
            state.latencies[route] = latency
        }
    }

    var requests: [Key: Int] { state.withLock { $0.requests } }
    var latencies: [String: Latency] { state.withLock { $0.latencies } }
}
