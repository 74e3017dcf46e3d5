import AutoGitTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running child (an `autogit runner` agent, a Runicorn viewer) for a test: its output is read line by line on
/// threads of its own (never on the concurrency pool), its pipes are close-on-exec (other children do not inherit
/// them), it is killed when `timeLimit` passes, and ``stop()`` ends it (SIGTERM, then SIGKILL) — call it on every path.
final class ChildProcess: Sendable {
    let process: Process
    private let lines = OutputLines()
    private let exit = ExitStatus()

    private init(process: Process) {
        self.process = process
    }

    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeLimit: Duration = .seconds(120)
    ) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let output = Pipe.closingOnExec()
        let errors = Pipe.closingOnExec()
        process.standardOutput = output
        process.standardError = errors
        let child = ChildProcess(process: process)
        process.terminationHandler = { [exit = child.exit] process in exit.record(process.terminationStatus) }
        try process.run()
        // The parent's copies of the write ends must go, or the readers never see end of file.
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        for handle in [output.fileHandleForReading, errors.fileHandleForReading] {
            child.lines.read(handle) { _ in
            } atEnd: {
                try? handle.close()
            }
        }
        let pid = process.processIdentifier
        let seconds = Double(timeLimit.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak child] in
            if child?.process.isRunning == true { kill(pid, SIGKILL) }
        }
        return child
    }

    /// Lines of standard output and error so far.
    var output: [String] { lines.lines.withLock { $0 } }

    /// Ends the child: SIGTERM, then SIGKILL after `grace`; returns its status.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Int32 {
        let pid = process.processIdentifier
        if process.isRunning { kill(pid, SIGTERM) }
        let seconds = Double(grace.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [process] in
            if process.isRunning { kill(pid, SIGKILL) }
        }
        return await waitForExit()
    }

    func waitForExit() async -> Int32 {
        await exit.wait()
    }
}
