import AutoGitTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to its end and returns its status and output; for tests that check generated shell scripts and
/// run the built `autogit` binary.
///
/// The pipes are read on threads of their own, never on Swift concurrency's small pool (two threads on a two-core
/// machine), so a test can run other tasks (a fake agent, a watchdog) while it waits; and they are close-on-exec,
/// so processes other tests start meanwhile do not inherit them and hold them open.
struct ShellProcess: Sendable {
    var status: Int32
    var output: String
    var error: String
    /// Whether the program was killed for running past its time limit.
    var timedOut = false

    /// Runs `executable`; after `timeLimit` it is killed (SIGKILL) and the result says so, so a hanging command
    /// fails its test instead of hanging the suite.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeLimit: Duration = .seconds(60)
    ) async throws -> ShellProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let outputPipe = Pipe.closingOnExec()
        let errorPipe = Pipe.closingOnExec()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let killed = TimedOutFlag()
        let seconds = Double(timeLimit.components.seconds) + Double(timeLimit.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if process.isRunning {
                killed.set()
                kill(pid, SIGKILL)
            }
        }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let errorData = LockedData()
                let errorRead = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    errorData.set(errorPipe.fileHandleForReading.readDataToEndOfFile())
                    errorRead.signal()
                }
                let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                errorRead.wait()
                continuation.resume(
                    returning: ShellProcess(
                        status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                        error: String(decoding: errorData.value, as: UTF8.self), timedOut: killed.isSet))
            }
        }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}

/// A flag set once from another thread.
final class TimedOutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Bytes handed over from a reader thread.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ data: Data) { lock.withLock { self.data = data } }
    var value: Data { lock.withLock { data ?? Data() } }
}
