import AutoGitCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a ``Command`` to its end on a dedicated thread, the one way every plugin starts `ssh`, `sbatch`, `squeue`,
/// `scancel` or an external plugin.
///
/// The thread writes standard input and reads standard output and error with blocking `poll`/`read` calls (never
/// `FileHandle.readabilityHandler`, which loses output on Linux), so a full pipe cannot stall the child. The child
/// runs in its own process group; at its timeout, or when the calling task is cancelled, the group gets SIGTERM and,
/// `killGrace` later, SIGKILL. A grandchild that keeps the output pipes open after the child exited (a daemon that
/// forgot to redirect) is given a short grace and then left alone: the call returns what was read.
public enum CommandRunner {
    /// How long output is still read after the child exited while some descendant holds the pipes open.
    static let drainGrace: Duration = .milliseconds(500)

    /// Runs `command` and returns how it ended; a non-zero exit or a timeout is a result, not an error.
    /// Throws `PLUGIN_UNAVAILABLE` only when the program cannot be started, and `CancellationError` when the calling
    /// task was cancelled (the child is killed first).
    public static func run(_ command: Command) async throws -> CommandResult {
        ignoreBrokenPipes
        let control = RunControl()
        let result: CommandResult = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    do {
                        continuation.resume(returning: try execute(command, control: control))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "autogit-command"
                thread.start()
            }
        } onCancel: {
            control.cancel()
        }
        if control.isCancelled { throw CancellationError() }
        return result
    }

    /// Writing to a child that already exited must fail with EPIPE, not end this process: SIGPIPE is ignored
    /// process-wide the first time a command runs (servers do the same for sockets).
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The blocking part: spawn, pump the pipes, enforce the deadline, reap.
    private static func execute(_ command: Command, control: RunControl) throws -> CommandResult {
        let output = try ProcessSpawner.makePipe()
        let errors: (read: Int32, write: Int32)
        do { errors = try ProcessSpawner.makePipe() } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        var input: (read: Int32, write: Int32)? = nil
        var nullInput: Int32 = -1
        do {
            if command.standardInput != nil {
                input = try ProcessSpawner.makePipe()
            } else {
                nullInput = open("/dev/null", O_RDONLY | O_CLOEXEC)
            }
        } catch {
            [output.read, output.write, errors.read, errors.write].forEach { _ = close($0) }
            throw error
        }

        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                executable: command.executable, arguments: command.arguments, environment: command.environment,
                standardInput: input?.read ?? nullInput, standardOutput: output.write, standardError: errors.write,
                isolation: .processGroup)
        } catch {
            [output.read, output.write, errors.read, errors.write, input?.read ?? -1, input?.write ?? -1, nullInput]
                .filter { $0 >= 0 }.forEach { _ = close($0) }
            throw error
        }
        // The child has its copies; ours of the far ends must close or end-of-file never comes.
        close(output.write)
        close(errors.write)
        if let input { close(input.read) }
        if nullInput >= 0 { close(nullInput) }

        var pump = PipePump(
            output: output.read, error: errors.read, input: input?.write, inputData: command.standardInput ?? Data())
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: command.timeout)
        var killDeadline: ContinuousClock.Instant? = nil
        var sentKill = false
        var timedOut = false
        var waitStatus: Int32 = 0
        var exitedAt: ContinuousClock.Instant? = nil

        while true {
            let now = clock.now
            if killDeadline == nil && exitedAt == nil && (now >= deadline || control.isCancelled) {
                timedOut = !control.isCancelled
                kill(-pid, SIGTERM)
                killDeadline = now.advanced(by: command.killGrace)
            }
            if let killDeadline, !sentKill, exitedAt == nil, now >= killDeadline {
                kill(-pid, SIGKILL)
                sentKill = true
            }
            if exitedAt == nil {
                let reaped = waitpid(pid, &waitStatus, WNOHANG)
                if reaped == pid || (reaped < 0 && errno == ECHILD) { exitedAt = now }
            }
            if let exitedAt {
                if pump.isFinished || now - exitedAt >= drainGrace { break }
            }
            // Bounded wait: wake at least every 20 ms to check the child, the deadline and cancellation.
            pump.pumpOnce(timeoutMilliseconds: pump.isFinished ? 5 : 20)
        }
        pump.closeAll()
        let (status, signal) = ProcessSpawner.decode(waitStatus: waitStatus)
        return CommandResult(
            status: status, signal: signal, standardOutput: pump.outputData, standardError: pump.errorData, timedOut: timedOut)
    }
}

/// Cancellation shared between the calling task and the thread that runs the command.
private final class RunControl: Sendable {
    private let cancelled = Mutex(false)
    func cancel() { cancelled.withLock { $0 = true } }
    var isCancelled: Bool { cancelled.withLock { $0 } }
}

/// Moves bytes between this process and a child's three pipes with `poll` and blocking-free `read`/`write`.
private struct PipePump {
    var output: Int32
    var error: Int32
    var input: Int32?
    var inputData: Data
    var inputOffset = 0
    var outputData = Data()
    var errorData = Data()

    init(output: Int32, error: Int32, input: Int32?, inputData: Data) {
        self.output = output
        self.error = error
        self.input = input
        self.inputData = inputData
        if let input {
            // Writes must not block when the child stops reading: the loop has a deadline to keep.
            _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
            if inputData.isEmpty {
                close(input)
                self.input = nil
            }
        }
    }

    var isFinished: Bool { output < 0 && error < 0 }

    mutating func pumpOnce(timeoutMilliseconds: Int32) {
        var fds: [pollfd] = []
        if output >= 0 { fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
        if error >= 0 { fds.append(pollfd(fd: error, events: Int16(POLLIN), revents: 0)) }
        if let input { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
        guard !fds.isEmpty else {
            usleep(UInt32(timeoutMilliseconds) * 1000)
            return
        }
        let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        guard ready > 0 else { return }
        for entry in fds where entry.revents != 0 {
            if entry.fd == output {
                if !readAvailable(from: output, into: &outputData) {
                    close(output)
                    output = -1
                }
            } else if entry.fd == error {
                if !readAvailable(from: error, into: &errorData) {
                    close(error)
                    error = -1
                }
            } else if entry.fd == input {
                writeAvailable()
            }
        }
    }

    /// Reads what is there; false at end-of-file or on an error.
    private func readAvailable(from fd: Int32, into data: inout Data) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: buffer[0..<count])
            return true
        }
        return count < 0 && (errno == EINTR || errno == EAGAIN)
    }

    private mutating func writeAvailable() {
        guard let fd = input else { return }
        let remaining = inputData.count - inputOffset
        let written = inputData.withUnsafeBytes { bytes in
            write(fd, bytes.baseAddress!.advanced(by: inputOffset), remaining)
        }
        if written > 0 { inputOffset += written }
        if inputOffset >= inputData.count || (written < 0 && errno != EAGAIN && errno != EINTR) {
            // All written, or the child closed its end (EPIPE): close ours so it sees end-of-file.
            close(fd)
            input = nil
        }
    }

    mutating func closeAll() {
        if output >= 0 { close(output) }
        if error >= 0 { close(error) }
        if let input { close(input) }
        output = -1
        error = -1
        input = nil
    }
}
