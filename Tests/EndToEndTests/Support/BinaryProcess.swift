import AutoGitTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `autogit` binary run as a child process with a time limit. Its output (standard output and error
/// together) is read by a dedicated thread with blocking reads, never on the concurrency pool; the pipe is
/// close-on-exec, so processes started meanwhile do not inherit it. Past the time limit the child is killed.
final class BinaryProcess: Sendable {
    private let process: Process
    private let output = Mutex<String>("")
    private let exit = ExitStatus()

    private init(process: Process) {
        self.process = process
    }

    var pid: pid_t { process.processIdentifier }

    /// Everything it wrote so far.
    var text: String { output.withLock { $0 } }

    static func start(_ arguments: [String], environment: [String: String], timeLimit: Duration = .seconds(120)) throws -> BinaryProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: autogitBinary)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe.closingOnExec()
        process.standardOutput = pipe
        process.standardError = pipe
        let child = BinaryProcess(process: process)
        process.terminationHandler = { process in child.exit.record(process.terminationStatus) }
        try process.run()
        let reading = pipe.fileHandleForReading
        let thread = Thread {
            while true {
                let chunk = reading.availableData
                if chunk.isEmpty { break }
                child.output.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
        thread.start()
        let pid = process.processIdentifier
        let seconds = Double(timeLimit.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if child.exit.status == nil { kill(pid, SIGKILL) }
        }
        return child
    }

    /// Waits for the process to end (it is killed at its time limit at the latest) and returns its status.
    func wait() async -> Int32 {
        await exit.wait()
    }

    func send(_ signal: Int32) {
        if exit.status == nil { kill(pid, signal) }
    }
}

/// The pids of processes whose command line mentions `text` (Linux: read from `/proc`); zombies do not count.
func processes(mentioning text: String) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { name -> pid_t? in
        guard let pid = pid_t(name), pid != getpid(),
            let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !data.isEmpty
        else { return nil }
        let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return commandLine.contains(text) && !isGone(pid) ? pid : nil
    }
}
