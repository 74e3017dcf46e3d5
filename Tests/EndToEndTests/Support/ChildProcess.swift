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
    private let lines = Mutex<[String]>([])
    private let exit = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

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
        let output = closingOnExecPipe()
        let errors = closingOnExecPipe()
        process.standardOutput = output
        process.standardError = errors
        let child = ChildProcess(process: process)
        process.terminationHandler = { process in child.exited(process.terminationStatus) }
        try process.run()
        // The parent's copies of the write ends must go, or the readers never see end of file.
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        child.read(output.fileHandleForReading)
        child.read(errors.fileHandleForReading)
        let pid = process.processIdentifier
        let seconds = Double(timeLimit.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak child] in
            if child?.process.isRunning == true { kill(pid, SIGKILL) }
        }
        return child
    }

    /// Lines of standard output and error so far.
    var output: [String] { lines.withLock { $0 } }

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
        await withCheckedContinuation { continuation in
            let status = exit.withLock { state in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    private func exited(_ status: Int32) {
        let waiters = exit.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    private func read(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
            try? handle.close()
        }
        thread.start()
    }

    private static func closingOnExecPipe() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        }
        return pipe
    }
}
