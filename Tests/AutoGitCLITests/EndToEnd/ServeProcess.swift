import AutoGitTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `autogit serve` running as a child process on a free loopback port with its own data directory: the server a
/// user starts, exercised by the CLI binary as a user runs it.
final class ServeProcess: Sendable {
    let url: String
    let adminToken: String
    let dataDirectory: String
    /// An empty `XDG_CONFIG_HOME` for the CLI runs of one test, so saved contexts never leak between tests.
    let configHome: String
    private let process: Process

    private init(url: String, adminToken: String, dataDirectory: String, configHome: String, process: Process) {
        self.url = url
        self.adminToken = adminToken
        self.dataDirectory = dataDirectory
        self.configHome = configHome
        self.process = process
    }

    /// Starts the server and waits (up to 30 s) for its "listening on" line; `reusing` starts it again on the data
    /// directory (and config home) of an earlier one, as after a crash.
    static func start(reusing earlier: ServeProcess? = nil) async throws -> ServeProcess {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("autogit-cli-e2e-\(UUID().uuidString)")
        let data = earlier?.dataDirectory ?? root.appendingPathComponent("data").path
        let config = earlier?.configHome ?? root.appendingPathComponent("config").path
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        // Instance ports from a block of its own (15000–19999, below the ephemeral range), so servers of tests running
        // at the same time do not hand out the same port.
        let serverConfiguration = config + "/server.json"
        if earlier == nil {
            let base = 15_000 + Int.random(in: 0..<25) * 200
            let json = #"{"instances": {"port_range_start": \#(base), "port_range_end": \#(base + 199)}}"#
            try Data(json.utf8).write(to: URL(fileURLWithPath: serverConfiguration))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        process.arguments = ["serve", "--port", "0", "--data-dir", data, "--config", serverConfiguration]
        let output = Pipe.closingOnExec()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        let url: String? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                    if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: "\n") {
                        continuation.resume(returning: String(text[range.upperBound..<end]))
                        // Keep draining so the server never blocks on a full pipe.
                        while !reader.availableData.isEmpty {}
                        return
                    }
                }
                continuation.resume(returning: nil)
            }
        }
        guard let url else {
            process.terminate()
            throw ServeError("autogit serve did not report its address")
        }
        let token = try String(contentsOfFile: data + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return ServeProcess(url: url, adminToken: token, dataDirectory: data, configHome: config, process: process)
    }

    /// Stops the server (SIGKILL: these tests do not test shutdown) and removes its files.
    func stop() {
        crash()
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().path)
    }

    /// Kills the server with SIGKILL and reaps it, leaving its files (and any children it had) behind.
    func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The environment of a CLI run against this server: its URL, the given token (the admin's by default), a private
    /// config home, no colour.
    func environment(token: String? = nil, withToken: Bool = true) -> [String: String] {
        var environment = ["AUTOGIT_SERVER": url, "XDG_CONFIG_HOME": configHome, "HOME": configHome, "NO_COLOR": "1", "COLUMNS": "200"]
        if withToken { environment["AUTOGIT_TOKEN"] = token ?? adminToken }
        return environment
    }

    /// Runs the `autogit` binary with `arguments` against this server.
    func autogit(
        _ arguments: [String], token: String? = nil, withToken: Bool = true, timeLimit: Duration = .seconds(30)
    ) async throws -> ShellProcess {
        try await ShellProcess.run(
            binaryPath, arguments, environment: environment(token: token, withToken: withToken), timeLimit: timeLimit)
    }
}

struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
