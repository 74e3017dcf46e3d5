import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// The instances group through the SDK against the real server: a `python3 -m http.server` supervised, probed,
/// reached through the proxy, logged and stopped.
@Suite("SDK end to end: instances", .serialized)
struct InstancesEndToEndTests {
    @Test("create → start → running → proxy → logs → health → stop → delete, and the errors on the way")
    func lifecycle() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            var definition = Instance(name: "web", backend: .custom, command: "python3 -m http.server {port} --bind 127.0.0.1")
            definition.healthPath = "/"
            let created = try await client.instances.create(definition)
            #expect(created.status == .stopped)
            let port = try #require(created.port)
            defer { Task { _ = try? await client.instances.stop("web", InstanceStopRequest(force: true)) } }

            _ = try await client.instances.start("web")
            var instance = try await client.instances.get("web")
            for _ in 0..<200 where instance.status != .running {
                try await Task.sleep(for: .milliseconds(50))
                instance = try await client.instances.get("web")
            }
            #expect(instance.status == .running)
            let pid = try #require(instance.pid)
            #expect(kill(pid, 0) == 0)

            let answer = try await client.instances.proxy("web", path: "")
            #expect(answer.status == 200)
            let health = try await client.instances.health("web")
            #expect(health.status == .healthy)

            // The model server's own output, through the server's log capture.
            var lines: [LogEntry] = []
            for _ in 0..<100 {
                lines = try await client.instances.logPage("web", lines: 50).items
                if lines.contains(where: { $0.message.contains("GET / ") }) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(lines.contains { $0.message.contains("GET / ") })

            await #expect {
                try await client.instances.delete("web")
            } throws: { error in (error as? AutoGitError)?.status == 409 }
            _ = try await client.instances.stop("web")
            #expect(try await client.instances.get("web").status == .stopped)
            #expect(kill(pid, 0) != 0 || ProcessState.isZombie(pid))
            try await client.instances.delete("web")
            await #expect {
                _ = try await client.instances.get("web")
            } throws: { error in (error as? AutoGitError)?.status == 404 }
            #expect(port > 0)
        }
    }
}

extension InstancesEndToEndTests {
    @Test("PATCH /v1/config changes the port range and max_running of instances without a restart")
    func liveSettings() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            let base = 10_000 + Int.random(in: 0..<25) * 200 + 100
            _ = try await client.config.patch(
                ["instances": ["port_range_start": .number(Double(base)), "port_range_end": .number(Double(base + 49)), "max_running": 1]])
            let names = ["first", "second"]
            defer { Task { for name in names { _ = try? await client.instances.stop(name, InstanceStopRequest(force: true)) } } }
            for name in names {
                var definition = Instance(name: name, backend: .custom, command: "exec python3 -m http.server {port} --bind 127.0.0.1")
                definition.healthPath = "/"
                let created = try await client.instances.create(definition)
                #expect(created.port.map { (base...(base + 49)).contains($0) } == true, "port \(created.port ?? 0)")
            }
            _ = try await client.instances.start("first")
            _ = try await client.instances.start("second")
            // One may run: starting the second stopped the least recently used.
            var first = try await client.instances.get("first")
            for _ in 0..<200 where first.status != .stopped {
                try await Task.sleep(for: .milliseconds(50))
                first = try await client.instances.get("first")
            }
            #expect(first.status == .stopped)
            #expect([.starting, .running].contains(try await client.instances.get("second").status))
        }
    }
}

/// Process facts for assertions.
enum ProcessState {
    /// Whether `pid` is a zombie (state Z): exited but not yet reaped, which counts as gone.
    static func isZombie(_ pid: Int32) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return true }
        return text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
