import Synchronization

/// Why a job's process group was stopped before it finished on its own.
public enum StopReason: Sendable, Hashable {
    /// The job ran past its timeout.
    case timedOut
    /// The job was cancelled on the server, with the reason given.
    case cancelled(String)
    /// The agent is stopping without waiting for the job (a second SIGTERM); the job is reported failed so that
    /// its retries can run it elsewhere.
    case runnerStopping
}

/// The stop switch of one job: whoever decides the job must end (its timeout, a cancel from the server, the agent
/// stopping) calls ``stop(_:grace:)``; the step running at that moment has its whole process group terminated, and
/// no later step starts. The first reason wins.
final class ExecutionControl: Sendable {
    private struct State {
        var reason: StopReason?
        var group: ProcessGroup?
        var grace: Duration = .seconds(10)
    }

    private let state = Mutex(State())

    init() {}

    /// Why the job was stopped, if it was.
    var stopReason: StopReason? { state.withLock { $0.reason } }

    /// Stops the job: terminates the running step's process group (SIGTERM, then SIGKILL after `grace`).
    func stop(_ reason: StopReason, grace: Duration) {
        let group = state.withLock { state -> ProcessGroup? in
            guard state.reason == nil else { return nil }
            state.reason = reason
            state.grace = grace
            return state.group
        }
        if let group { Task { await group.terminate(grace: grace) } }
    }

    /// Makes `group` the running step's group; terminates it at once when the job was already stopped.
    func attach(_ group: ProcessGroup) {
        let grace = state.withLock { state -> Duration? in
            state.group = group
            return state.reason == nil ? nil : state.grace
        }
        if let grace { Task { await group.terminate(grace: grace) } }
    }

    func detach() {
        state.withLock { $0.group = nil }
    }
}
