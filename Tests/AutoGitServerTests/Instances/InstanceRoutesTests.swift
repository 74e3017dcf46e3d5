import AutoGitClient
import AutoGitCore
import AutoGitHTTP
import Foundation
import Testing

@testable import AutoGitServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension InstanceProcessSuites {
    @Suite("Instances: the HTTP routes on a real server, through the SDK", .timeLimit(.minutes(2)))
    struct InstanceRoutesTests {
        /// The instance routes on an HTTP server on 127.0.0.1, an SDK client for it, and cleanup whatever happens.
        static func withAPI(
            maxRunning: Int = 4, _ body: (InstanceHarness, InstanceManager, AutoGitClient, URL) async throws -> Void
        ) async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager(maxRunning: maxRunning)
                var router = Router()
                InstanceRoutes(manager: manager).register(on: &router)
                var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
                configuration.eventLoopCount = 2
                configuration.shutdownGracePeriod = .seconds(2)
                let server = HTTPServer(
                    configuration: configuration, middleware: [RequestIDMiddleware(), ErrorMiddleware()], responder: router)
                try await server.start()
                let url = try #require(URL(string: "http://127.0.0.1:\(server.port)"))
                var clientConfiguration = AutoGitClient.Configuration(timeout: .seconds(30))
                clientConfiguration.retry = RetryPolicy(maxAttempts: 1)
                let client = AutoGitClient(baseURL: url, configuration: clientConfiguration)
                do {
                    try await body(harness, manager, client, url)
                } catch {
                    await server.shutdown()
                    throw error
                }
                await server.shutdown()
            }
        }

        static func error(_ body: () async throws -> Void) async -> AutoGitError? {
            do {
                try await body()
                return nil
            } catch let error as AutoGitError {
                return error
            } catch {
                Issue.record("expected an AutoGitError, got \(error)")
                return nil
            }
        }

        @Test("create, list, start, health, proxy, logs, stop and delete over HTTP")
        func lifecycle() async throws {
            try await Self.withAPI { _, _, client, url in
                var request = URLRequest(url: url.appendingPathComponent("v1/instances"))
                request.httpMethod = "POST"
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(
                    #"{"name": "web", "backend": "custom", "command": "exec python3 -m http.server {port} --bind {host}"}"#.utf8)
                let (data, response) = try await URLSession.shared.data(for: request)
                let http = try #require(response as? HTTPURLResponse)
                #expect(http.statusCode == 201)
                #expect(http.value(forHTTPHeaderField: "Location") == "/v1/instances/web")
                let created = try AutoGitJSON.decode(Instance.self, from: data)
                #expect(created.status == .stopped && created.backend == .custom && created.port != nil)

                let page = try await client.instances.listPage()
                #expect(page.items.map(\.name) == ["web"])
                #expect(page.totalCount == 1)
                #expect(try await client.instances.listPage(status: .running).items.isEmpty)

                let started = try await client.instances.start("web")
                #expect(started.success && started.status == "starting")
                let running = try await eventually { try await client.instances.get("web").status == .running }
                #expect(running)
                let health = try await client.instances.health("web")
                #expect(health.status == .healthy)
                #expect(health.checks["port"] == "open")

                let answer = try await client.instances.proxy("web", path: "", query: [("from", "sdk")])
                #expect(answer.status == 200)
                #expect(String(decoding: try await answer.body.collect(), as: UTF8.self).contains("Directory listing"))
                let logged = try await eventually {
                    try await client.instances.logPage("web", lines: 50).items.contains { $0.message.contains("GET /?from=sdk") }
                }
                #expect(logged)

                let stopped = try await client.instances.stop("web", InstanceStopRequest(timeout: 5))
                #expect(stopped.status == "stopped")
                #expect(try await client.instances.get("web").status == .stopped)
                let deleted = try await client.instances.delete("web")
                #expect(deleted.success)
            }
        }

        @Test("errors: 404 unknown instance, 409 delete or change while running, 409 start twice, 422 bad spec, 400 bad query")
        func errors() async throws {
            try await Self.withAPI { _, _, client, url in
                let unknown = await Self.error { _ = try await client.instances.get("nope") }
                #expect(unknown?.status == 404)
                #expect(unknown?.code == .instanceNotFound)

                let badName = await Self.error {
                    _ = try await client.instances.create(Instance(name: "no spaces", backend: .custom, command: "x"))
                }
                #expect(badName?.status == 422)
                #expect(badName?.details?["field"]?.stringValue == "name")
                let noCommand = await Self.error { _ = try await client.instances.create(Instance(name: "empty", backend: .custom)) }
                #expect(noCommand?.status == 422)
                #expect(noCommand?.details?["field"]?.stringValue == "command")

                _ = try await client.instances.create(httpServerInstance("busy"))
                let duplicate = await Self.error { _ = try await client.instances.create(httpServerInstance("busy")) }
                #expect(duplicate?.status == 409)

                try await client.instances.start("busy")
                let twice = await Self.error { try await client.instances.start("busy") }
                #expect(twice?.status == 409)
                #expect(twice?.code == .invalidStateTransition)
                let deleteRunning = await Self.error { try await client.instances.delete("busy") }
                #expect(deleteRunning?.status == 409)
                #expect(deleteRunning?.code == .conflict)
                let change = await Self.error { _ = try await client.instances.update("busy", InstanceUpdate(command: "exec sleep 60")) }
                #expect(change?.status == 409)
                #expect(change?.details?["fields"] == ["command"])
                let harmless = try await client.instances.update("busy", InstanceUpdate(idleTimeout: 30))
                #expect(harmless.idleTimeout == 30)
                try await client.instances.delete("busy", force: true)
                #expect(await Self.error { _ = try await client.instances.get("busy") }?.status == 404)

                let (_, response) = try await URLSession.shared.data(
                    from: url.appendingPathComponent("v1/instances").appending(queryItems: [URLQueryItem(name: "limit", value: "0")]))
                #expect((response as? HTTPURLResponse)?.statusCode == 400)
                var malformed = URLRequest(url: url.appendingPathComponent("v1/instances"))
                malformed.httpMethod = "POST"
                malformed.httpBody = Data("{not json".utf8)
                let (_, bad) = try await URLSession.shared.data(for: malformed)
                #expect((bad as? HTTPURLResponse)?.statusCode == 400)
            }
        }

        @Test("the proxy forwards method, path, query, headers and body, and streams a chunked answer back")
        func proxyForwarding() async throws {
            try await Self.withAPI { harness, _, client, _ in
                let script = try harness.script("echo.py", Scripts.echoServer)
                _ = try await client.instances.create(
                    Instance(name: "echo", backend: .custom, command: "exec python3 \(script) {port}", onDemand: true, idleTimeout: 60))

                // The first request starts the on-demand instance.
                let answer = try await client.instances.proxy(
                    "echo", method: "POST", path: "v1/chat/completions", query: [("stream", "false")],
                    headers: ["Content-Type": "application/json", "X-Trace": "abc"], body: Data(#"{"prompt":"hi"}"#.utf8))
                #expect(answer.status == 201)
                #expect(answer.headers["X-Upstream"] == "echo")
                let echoed = try JSONValue.decodeJSON(try await answer.body.collect())
                #expect(echoed["method"] == "POST")
                #expect(echoed["path"] == "/v1/chat/completions?stream=false")
                #expect(echoed["body"] == #"{"prompt":"hi"}"#)
                #expect(echoed["headers"]?["x-trace"] == "abc")
                #expect(echoed["headers"]?["x-forwarded-for"] == "127.0.0.1")
                #expect(echoed["headers"]?["connection"] == "close")

                let streamed = try await client.instances.proxy("echo", path: "stream")
                #expect(streamed.status == 200)
                #expect(streamed.headers["Content-Type"] == "text/event-stream")
                let text = String(decoding: try await streamed.body.collect(), as: UTF8.self)
                #expect(text == "data: 0\n\ndata: 1\n\ndata: 2\n\n")

                // The proxy hands back error answers as they are; an unknown instance is the API's own 404.
                let notFound = try await client.instances.proxy("nowhere", path: "x")
                #expect(notFound.status == 404)
            }
        }

        @Test("logs follow as Server-Sent Events: the backlog, then new lines")
        func followLogs() async throws {
            try await Self.withAPI { _, manager, client, _ in
                _ = try await client.instances.create(httpServerInstance("tail"))
                try await client.instances.start("tail")
                _ = try await manager.waitUntilRunning("tail", timeout: .seconds(20))

                var sawBacklog = false
                var sawNewLine = false
                let stream = client.instances.logs("tail", lines: 100, follow: true)
                for try await entry in stream {
                    if entry.message.contains("starting on port") && !sawBacklog {
                        sawBacklog = true
                        _ = try await client.instances.proxy("tail", path: "", query: [("followed", "1")])
                    }
                    if entry.message.contains("GET /?followed=1") {
                        sawNewLine = true
                        break
                    }
                }
                #expect(sawBacklog)
                #expect(sawNewLine)
            }
        }
    }
}

extension JSONValue {
    fileprivate static func decodeJSON(_ data: Data) throws -> JSONValue {
        try AutoGitJSON.decode(JSONValue.self, from: data)
    }
}
