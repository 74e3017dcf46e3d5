import AutoGitCore
import Foundation

/// Runs one step: `/bin/sh -c <command>` in its own process group, in a working directory, with exactly the
/// environment given, reading its standard output and error line by line on dedicated threads.
///
/// The step ends when its shell exits. Processes it left behind in its group (a `sleep &` in the background) are
/// then terminated too, so nothing a step started outlives it; a step that means to leave a daemon running must
/// move it to another session (`setsid`). A timeout or a cancel goes through the job's ``ExecutionControl``.
struct StepExecutor: Sendable {
    /// How long a stopped step's group has between SIGTERM and SIGKILL.
    var killGracePeriod: Duration = .seconds(10)
    /// The shell that runs each step's command.
    var shell = "/bin/sh"

    /// What became of a step.
    struct Outcome: Sendable, Hashable {
        var exitStatus: ExitStatus
        /// Set when the step was stopped by its job's timeout or a cancel.
        var stopReason: StopReason?
        /// False when the step's output pipes were still open (held by a process that left the group) after the
        /// step's group was gone; the output read until then was handed on.
        var isOutputComplete: Bool
    }

    /// Runs `command` and hands each line to `onLine` (from the reading threads, so it must be thread-safe).
    /// Returns when the step and everything left in its group have ended and its output has been read.
    ///
    /// - Parameter deadline: when the job's time is up; the control is stopped with ``StopReason/timedOut`` then.
    /// - Throws: ``RunnerError`` `SPAWN_FAILED` when the shell cannot be started.
    func run(
        _ command: String, in workingDirectory: String, environment: [String: String], deadline: ContinuousClock.Instant?,
        control: ExecutionControl, onLine: @escaping @Sendable (LogStream, String) -> Void
    ) async throws(RunnerError) -> Outcome {
        let group = try ProcessGroup.spawn([shell, "-c", command], environment: environment, workingDirectory: workingDirectory)
        let outputDone = Latch()
        let errorDone = Latch()
        OutputReader.start(group.standardOutput, name: "autogit-stdout-\(group.pid)", finished: outputDone) { onLine(.stdout, $0) }
        OutputReader.start(group.standardError, name: "autogit-stderr-\(group.pid)", finished: errorDone) { onLine(.stderr, $0) }
        control.attach(group)
        defer { control.detach() }

        let grace = killGracePeriod
        let timer = deadline.map { deadline in
            Task {
                try await Task.sleep(until: deadline, clock: .continuous)
                control.stop(.timedOut, grace: grace)
            }
        }
        let status = await group.waitForExit()
        timer?.cancel()

        // Whatever the shell left running in its group goes too.
        if group.hasLiveMembers { await group.terminate(grace: grace) }
        let outputDeadline = ContinuousClock.now + .seconds(2)
        let isOutputDone = await outputDone.wait(until: outputDeadline)
        let isErrorDone = await errorDone.wait(until: outputDeadline)
        return Outcome(exitStatus: status, stopReason: control.stopReason, isOutputComplete: isOutputDone && isErrorDone)
    }
}
