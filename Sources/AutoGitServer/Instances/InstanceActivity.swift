import Synchronization

/// Proxy traffic of one instance: requests in flight and the last use, read by the idle timer and the
/// least-recently-used eviction. Updated from any thread (a streamed answer ends on the proxy's reading thread).
final class InstanceActivity: Sendable {
    private struct State {
        var inFlight = 0
        var lastUsed: ContinuousClock.Instant
    }

    private let state: Mutex<State>

    init(now: ContinuousClock.Instant = .now) {
        state = Mutex(State(lastUsed: now))
    }

    /// A proxied request begins.
    func begin() {
        state.withLock { state in
            state.inFlight += 1
            state.lastUsed = .now
        }
    }

    /// A proxied request's answer has been passed on (or abandoned).
    func end() {
        state.withLock { state in
            state.inFlight = max(0, state.inFlight - 1)
            state.lastUsed = .now
        }
    }

    /// Counts as a use without a request (a start).
    func touch() {
        state.withLock { $0.lastUsed = .now }
    }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var lastUsed: ContinuousClock.Instant { state.withLock { $0.lastUsed } }
}
