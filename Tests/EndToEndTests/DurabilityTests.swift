import AutoGitCore
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The store's promise, checked against the real binary: a write answered 2xx survives `kill -9`.
@Suite(
    "The autogit serve binary", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: FileManager.default.isExecutableFile(atPath: autogitBinary)))
struct DurabilityTests {
    /// What the load saw: jobs acknowledged with 201, and requests that got no answer.
    final class Load: Sendable {
        let acknowledged = Mutex<[String]>([])
        let attempts = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let killed = Atomic<Bool>(false)
        /// From the first request to the kill.
        let elapsed = Mutex<Duration>(.zero)

        var wasKilled: Bool { killed.load(ordering: .relaxed) }
    }

    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "/autogit-durability-\(UUID().uuidString)"
    }

    /// A configuration file with rate limits off, so the load is not throttled.
    func configurationFile(in directory: String) throws -> String {
        let path = directory + "-config.json"
        try Data(#"{"rate_limits": {"enabled": false}}"#.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("every write acknowledged with 2xx before a SIGKILL mid-load is there after a restart")
    func killNine() async throws {
        let directory = temporaryDirectory()
        let config = try configurationFile(in: directory)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: config)
        }
        let server = try await ServerProcess.start(dataDirectory: directory, configurationFile: config)
        defer { server.kill9IfRunning() }
        let token = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 32
        configuration.timeoutIntervalForRequest = 10
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        let load = Load()
        let clients = 24
        let writesPerClient = 100
        let killAfter = 1_000
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for write in 0..<writesPerClient {
                        var request = URLRequest(url: server.url.appendingPathComponent("v1/jobs"))
                        request.httpMethod = "POST"
                        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.httpBody = Data(#"{"name": "load-\#(client)-\#(write)", "steps": [{"name": "s", "run": "true"}]}"#.utf8)
                        load.attempts.add(1, ordering: .relaxed)
                        guard let (data, response) = try? await session.data(for: request),
                            (response as? HTTPURLResponse)?.statusCode == 201,
                            let id = (try? JSONDecoder().decode(JSONValue.self, from: data))?["id"]?.stringValue
                        else {
                            load.failures.add(1, ordering: .relaxed)
                            // The server is gone: this client stops.
                            if load.wasKilled { return }
                            continue
                        }
                        let count = load.acknowledged.withLock { acknowledged in
                            acknowledged.append(id)
                            return acknowledged.count
                        }
                        if count >= killAfter, load.killed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
                            load.elapsed.withLock { $0 = ContinuousClock.now - started }
                            // Mid-load: the other clients have requests in flight.
                            server.send(SIGKILL)
                        }
                    }
                }
            }
        }
        #expect(await server.stop(with: SIGKILL) == SIGKILL)
        let acknowledged = load.acknowledged.withLock { $0 }
        #expect(load.wasKilled, "the server was killed mid-load")
        #expect(load.attempts.load(ordering: .relaxed) >= 1_000)
        let seconds = load.elapsed.withLock { $0 }
        let rate = Double(killAfter) / max(0.001, Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18)
        print(
            "durability: \(acknowledged.count) writes acknowledged of \(load.attempts.load(ordering: .relaxed)) attempted;"
                + " \(Int(rate)) acknowledged writes/s from \(clients) clients before the kill")

        let restarted = try await ServerProcess.start(dataDirectory: directory, configurationFile: config)
        defer { restarted.kill9IfRunning() }
        #expect(!restarted.outputLines.contains { $0.hasPrefix("Admin token") }, "the admin token is made only once")
        var stored = Set<String>()
        var offset = 0
        while true {
            var request = URLRequest(url: URL(string: restarted.url.absoluteString + "/v1/jobs?limit=500&offset=\(offset)")!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, _) = try await session.data(for: request)
            let page = try AutoGitJSON.decode(Page<Job>.self, from: data)
            stored.formUnion(page.items.map(\.id))
            offset += page.items.count
            if !page.hasMore || page.items.isEmpty { break }
        }
        let missing = acknowledged.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged writes were lost")
        #expect(stored.count >= acknowledged.count)
        #expect(await restarted.stop(with: SIGTERM) == 0)
    }

    @Test("autogit serve prints its address and, on the first start only, the admin token; SIGTERM stops it cleanly")
    func serveLifecycle() async throws {
        let directory = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
        }
        let first = try await ServerProcess.start(dataDirectory: directory)
        defer { first.kill9IfRunning() }
        #expect(first.url.absoluteString.hasPrefix("http://127.0.0.1:"))
        let token = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let session = URLSession(configuration: .ephemeral)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: first.url.appendingPathComponent("v1/system/info"))
        request.setValue(token, forHTTPHeaderField: "X-API-Key")
        let (_, response) = try await session.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(await first.stop(with: SIGTERM) == 0)
        #expect(first.outputLines.contains { $0.trimmingCharacters(in: .whitespaces) == token })
        let log = first.errorLines.joined(separator: "\n")
        #expect(log.contains("GET /v1/system/info 200"), "an access-log line per request")
        #expect(log.contains("SIGTERM, shutting down") && log.contains("stopped"))

        let second = try await ServerProcess.start(dataDirectory: directory)
        defer { second.kill9IfRunning() }
        #expect(!second.outputLines.contains { $0.contains(token) })
        #expect(await second.stop(with: SIGINT) == 0)
    }
}
