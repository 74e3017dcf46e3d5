import AutoGitCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `autogit instances …` against `autogit serve`, with `python3 -m http.server` as the model server.
@Suite("The instances commands against a real server", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: binaryPath)))
struct InstancesCLITests {
    private func json(_ text: String) throws -> JSONValue {
        try AutoGitJSON.decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Polls `instances get` until the instance is running; returns its JSON.
    private func waitUntilRunning(_ name: String, on server: ServeProcess) async throws -> JSONValue {
        var instance = JSONValue.null
        for _ in 0..<200 {
            let result = try await server.autogit(["instances", "get", name, "-o", "json"])
            instance = try json(result.output)
            if instance["status"]?.stringValue == "running" { return instance }
            try await Task.sleep(for: .milliseconds(50))
        }
        return instance
    }

    private static func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test("create --start, list, health, logs, stop and delete; delete while running is exit 5")
    func lifecycle() async throws {
        let server = try await ServeProcess.start()
        defer { server.stop() }
        let created = try await server.autogit([
            "instances", "create", "files", "--backend", "custom", "--command", "python3 -m http.server {port} --bind 127.0.0.1",
            "--health-path", "/", "--start",
        ])
        #expect(created.status == 0, "\(created.error)")
        let instance = try await waitUntilRunning("files", on: server)
        let pid = try #require(instance["pid"]?.intValue.map(Int32.init))
        defer { if !Self.isGone(pid) { kill(-pid, SIGKILL) } }

        let table = try await server.autogit(["instances", "list"])
        #expect(table.output.contains("files") && table.output.contains("running") && table.output.contains("custom"))
        let health = try await server.autogit(["instances", "health", "files"])
        #expect(health.status == 0)
        #expect(health.output.contains("healthy"))
        #expect(try await server.autogit(["instances", "delete", "files"]).status == 5)
        let stop = try await server.autogit(["instances", "stop", "files"])
        #expect(stop.status == 0, "\(stop.error)")
        #expect(Self.isGone(pid))
        let logs = try await server.autogit(["instances", "logs", "files"])
        #expect(logs.status == 0)
        #expect(try await server.autogit(["instances", "delete", "files"]).output == "Deleted instance files.\n")
        #expect(try await server.autogit(["instances", "get", "files"]).status == 3)
    }

    @Test("a server killed with SIGKILL leaves no instance unseen: after a restart it is adopted or restarted, never orphaned")
    func survivesServerCrash() async throws {
        let first = try await ServeProcess.start()
        var second: ServeProcess?
        defer {
            second?.stop()
            first.stop()
        }
        let created = try await first.autogit([
            "instances", "create", "files", "--backend", "custom", "--command", "python3 -m http.server {port} --bind 127.0.0.1",
            "--health-path", "/", "--restart", "always", "--start",
        ])
        #expect(created.status == 0, "\(created.error)")
        let before = try await waitUntilRunning("files", on: first)
        let pid = try #require(before["pid"]?.intValue.map(Int32.init))
        defer { if !Self.isGone(pid) { kill(-pid, SIGKILL) } }
        first.crash()
        #expect(!Self.isGone(pid), "the model server outlives the crashed server")

        let restarted = try await ServeProcess.start(reusing: first)
        second = restarted
        let after = try await waitUntilRunning("files", on: restarted)
        #expect(after["status"]?.stringValue == "running")
        let newPID = try #require(after["pid"]?.intValue.map(Int32.init))
        // Either the same process, supervised again, or the old one is gone and a new one runs: never two.
        #expect(newPID == pid || Self.isGone(pid))
        #expect(try await restarted.autogit(["instances", "stop", "files"]).status == 0)
        #expect(Self.isGone(newPID))
        #expect(Self.isGone(pid))
    }
}
