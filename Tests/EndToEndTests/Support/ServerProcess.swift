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

/// `autogit serve` as a child process on a free loopback port. Its standard output is read line by line on a thread
/// of its own (blocking reads: `readabilityHandler` loses output on Linux); standard error goes to a file.
final class ServerProcess: Sendable {
    let process: Process
    let url: URL
    let errorLog: String
    private let output: OutputLines

    /// Lines of standard output, shared with the reading thread.
    private final class OutputLines: Sendable {
        let lines = Mutex<[String]>([])
    }

    private init(process: Process, url: URL, errorLog: String, output: OutputLines) {
        self.process = process
        self.url = url
        self.errorLog = errorLog
        self.output = output
    }

    /// Starts `autogit serve --port 0` on `dataDirectory` and returns once it prints where it listens.
    static func start(dataDirectory: String, configurationFile: String? = nil) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: autogitBinary)
        var arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDirectory]
        if let configurationFile { arguments += ["--config", configurationFile] }
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let errorLog = dataDirectory + ".stderr"
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        let output = OutputLines()
        let (urls, found) = AsyncStream.makeStream(of: URL?.self)
        try process.run()
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        let reader = Thread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    output.lines.withLock { $0.append(line) }
                    if let range = line.range(of: "listening on ") { found.yield(URL(string: String(line[range.upperBound...]))) }
                }
            }
            found.finish()
        }
        reader.start()
        var iterator = urls.makeAsyncIterator()
        guard let first = await iterator.next(), let url = first else {
            process.waitUntilExit()
            let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            throw ProcessFailure("autogit serve did not start (status \(process.terminationStatus)): \(log)")
        }
        return ServerProcess(process: process, url: url, errorLog: errorLog, output: output)
    }

    /// Lines written to standard output so far.
    var outputLines: [String] { output.lines.withLock { $0 } }

    /// Sends `signal` and waits for the process to end; returns its termination status.
    @discardableResult
    func stop(with signal: Int32) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills the process if it still runs (every test ends with this, even on failure).
    func kill9IfRunning() {
        if process.isRunning { stop(with: SIGKILL) }
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
