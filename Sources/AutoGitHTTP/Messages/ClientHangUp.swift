import Foundation
import Synchronization

/// Tells a handler that its client stopped sending while the request was being answered: the client closed the
/// connection, or shut down only its sending side (a half-close), which a server cannot tell apart.
///
/// The server still writes the answer, since a half-closed client reads it. A handler that waits for something
/// (a long poll) may take the hang-up as the client having left and stop waiting, so that what it would have
/// handed out goes to someone who is still there. Thread-safe; it happens at most once per request.
public final class ClientHangUp: Sendable {
    private let state = Mutex<(hasHappened: Bool, waiters: [UUID: CheckedContinuation<Void, Never>])>((false, [:]))

    public init() {}

    /// Whether the client has hung up.
    public var hasHappened: Bool { state.withLock { $0.hasHappened } }

    /// Records the hang-up and wakes every waiter. The server calls this; tests may too.
    public func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.hasHappened else { return [] }
            state.hasHappened = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the client has hung up, or when the calling task is cancelled.
    public func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let isDone = state.withLock { state -> Bool in
                    if state.hasHappened || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if isDone { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
