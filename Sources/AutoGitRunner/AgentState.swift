import AutoGitCore
import Synchronization

/// The agent's shared, changing state: its running jobs, whether it is draining, and the status the server holds
/// for it. Tasks wait for a change with ``waitForChange(after:)``, using the generation they read with the state, so
/// no change between reading and waiting is missed.
final class AgentState: Sendable {
    struct Snapshot {
        var generation = 0
        var isDraining = false
        /// Set by `stop()`: jobs that still arrive are stopped at once.
        var isStopping = false
        var serverStatus: RunnerStatus = .active
        var running: [String: JobRunner] = [:]
        var jobsTaken = 0
    }

    private struct State {
        var snapshot = Snapshot()
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    init() {}

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Changes the state and wakes every waiter.
    @discardableResult
    func update<T>(_ change: (inout Snapshot) -> T) -> T {
        let (result, waiters) = state.withLock { state -> (T, [CheckedContinuation<Void, Never>]) in
            let result = change(&state.snapshot)
            state.snapshot.generation += 1
            defer { state.waiters = [:] }
            return (result, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.resume() }
        return result
    }

    /// Returns once the state has changed since `generation`, or the task is cancelled.
    func waitForChange(after generation: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.snapshot.generation != generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits until `condition` holds for the state.
    func wait(until condition: (Snapshot) -> Bool) async {
        while !Task.isCancelled {
            let current = snapshot
            if condition(current) { return }
            await waitForChange(after: current.generation)
        }
    }
}
