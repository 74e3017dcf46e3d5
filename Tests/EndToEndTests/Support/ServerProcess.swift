import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `autogit` executable, which SwiftPM puts beside the test bundle.
let autogitBinary: String = {
    #if os(Linux)
    let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    #else
    let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") } ?? Bundle.main
    let products = bundle.bundleURL.deletingLastPathComponent()
    #endif
    return products.appendingPathComponent("autogit").path
}()

/// `autogit serve` as a child process on a free loopback port. Its standard output and error are read line by line,
/// each on a thread of its own (blocking reads: `readabilityHandler` loses output on Linux).
final class ServerProcess: Sendable {
    let process: Process
    let url: URL
    private let output: OutputLines
    private let errors: OutputLines

    private let exit: ExitStatus

    private init(process: Process, url: URL, errors: OutputLines, output: OutputLines, exit: ExitStatus) {
        self.process = process
        self.url = url
        self.errors = errors
        self.output = output
        self.exit = exit
    }

    /// Starts `autogit serve --port 0` on `dataDirectory` and returns once it prints where it listens.
    static func start(dataDirectory: String, configurationFile: String? = nil) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: autogitBinary)
        var arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDirectory]
        if let configurationFile { arguments += ["--config", configurationFile] }
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardInput = FileHandle.nullDevice
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let output = OutputLines()
        let errors = OutputLines()
        let (urls, found) = AsyncStream.makeStream(of: URL?.self)
        let exit = ExitStatus()
        process.terminationHandler = { process in exit.record(process.terminationStatus) }
        try process.run()
        // Each thread holds its pipe's handle until end of file, so the descriptor cannot be closed (and its number
        // reused by another test) while it is still being read.
        output.read(outputPipe.fileHandleForReading) { line in
            if let range = line.range(of: "listening on ") { found.yield(URL(string: String(line[range.upperBound...]))) }
        } atEnd: {
            found.finish()
        }
        errors.read(errorPipe.fileHandleForReading)
        var iterator = urls.makeAsyncIterator()
        guard let first = await iterator.next(), let url = first else {
            let status = await exit.wait()
            throw ProcessFailure("autogit serve did not start (status \(status)): \(errors.lines.withLock { $0 }.joined(separator: "\n"))")
        }
        return ServerProcess(process: process, url: url, errors: errors, output: output, exit: exit)
    }

    /// Lines written to standard error so far (server messages and the access log).
    var errorLines: [String] { errors.lines.withLock { $0 } }

    /// Lines written to standard output so far.
    var outputLines: [String] { output.lines.withLock { $0 } }

    /// Sends `signal` to the process at once.
    func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Sends `signal` and waits for the process to end; returns its termination status.
    @discardableResult
    func stop(with signal: Int32) async -> Int32 {
        send(signal)
        return await exit.wait()
    }

    /// Kills the process if it still runs (every test ends with this, even on failure).
    func kill9IfRunning() {
        send(SIGKILL)
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
