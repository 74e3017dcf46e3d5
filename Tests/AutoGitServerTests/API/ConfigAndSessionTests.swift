import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Configuration, login and sessions over HTTP")
struct ConfigAndSessionTests {
    @Test("a config patch is validated, applied at once, and survives a restart")
    func patchPersists() async throws {
        let directory = TemporaryDirectory()
        do {
            let server = try await RunningServer.start(directory: directory)
            let invalid = try await server.request(
                "PATCH", "/v1/config", token: server.admin, body: #"{"jobs": {"long_poll_seconds": -1}}"#)
            #expect(invalid.status == 422 && invalid.errorField == "jobs.long_poll_seconds")
            let patched = try await server.request(
                "PATCH", "/v1/config", token: server.admin,
                body: #"{"rate_limits": {"authenticated_per_minute": 321}, "jobs": {"default_timeout_seconds": 77}}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            #expect(patched.json?["rate_limits"]?["authenticated_per_minute"]?.intValue == 321)
            let job = try await server.submitJob()
            let stored = try await server.request("GET", "/v1/jobs/\(job)", token: server.admin)
            #expect(stored.json?["timeout"]?.intValue == 77)
            await server.stop()
        }
        let restarted = try await RunningServer.start(directory: directory)
        let config = try await restarted.request("GET", "/v1/config", token: restarted.admin)
        #expect(config.json?["rate_limits"]?["authenticated_per_minute"]?.intValue == 321)
        #expect(config.json?["jobs"]?["long_poll_seconds"]?.doubleValue == 30)
        #expect(restarted.server.adminToken == nil, "the admin token is made only on the first start")
        await restarted.stop()
    }

    @Test("the schema is served, and the configuration leaves password hashes out")
    func schemaAndRedaction() async throws {
        var configuration = RunningServer.testConfiguration
        let hash = PasswordHash(password: "s3cret", iterations: 1000).encoded
        configuration.auth.users = [.init(username: "ann", passwordHash: hash, role: .viewer)]
        try await withServer(configuration: configuration) { server in
            let schema = try await server.request("GET", "/v1/config/schema", token: server.admin)
            #expect(schema.json?["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema")
            let config = try await server.request("GET", "/v1/config", token: server.admin)
            #expect(config.json?["auth"]?["users"]?.arrayValue?.first?["username"]?.stringValue == "ann")
            #expect(!config.text.contains(hash) && !config.text.contains("password_hash"))
        }
    }

    @Test("a configured user logs in, acts with the user's role, refreshes, and a wrong password is 401")
    func login() async throws {
        var configuration = RunningServer.testConfiguration
        configuration.auth.users = [
            .init(username: "ann", passwordHash: PasswordHash(password: "s3cret", iterations: 1000).encoded, role: .viewer)
        ]
        try await withServer(configuration: configuration) { server in
            let login = try await server.request("POST", "/v1/auth/login", body: #"{"username": "ann", "password": "s3cret"}"#)
            #expect(login.status == 200 && login.json?["role"]?.stringValue == "viewer")
            let session = try #require(login.json?["token"]?.stringValue)
            #expect(session.split(separator: ".").count == 3)
            #expect(try await server.request("GET", "/v1/runners", token: session).status == 200)
            #expect(try await server.request("POST", "/v1/jobs/x/cancel", token: session).status == 403)
            let refreshed = try await server.request("POST", "/v1/auth/refresh", token: session)
            #expect(refreshed.status == 200 && refreshed.json?["token"]?.stringValue != nil)
            for body in [#"{"username": "ann", "password": "wrong"}"#, #"{"username": "bob", "password": "s3cret"}"#] {
                let refused = try await server.request("POST", "/v1/auth/login", body: body)
                #expect(refused.status == 401 && refused.errorCode == "AUTHENTICATION_FAILED")
            }
            let tampered = try await server.request("GET", "/v1/runners", token: session + "x")
            #expect(tampered.status == 401)
        }
    }

    @Test("the first start writes the admin token to the data directory with mode 0600")
    func adminTokenFile() async throws {
        try await withServer { server in
            let path = server.server.adminTokenPath
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let secret = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(secret == server.server.adminToken)
            // Only its hash is in the journal.
            for file in server.directory.files() where file.hasPrefix("journal-") {
                let bytes = try #require(FileManager.default.contents(atPath: server.directory.path + "/" + file))
                #expect(!String(decoding: bytes, as: UTF8.self).contains(secret))
            }
        }
    }
}

@Suite("System endpoints and metrics")
struct SystemEndpointTests {
    @Test("health needs no token; status and info describe the fleet and the host")
    func healthStatusInfo() async throws {
        try await withServer { server in
            let health = try await server.request("GET", "/v1/health")
            #expect(health.status == 200 && health.json?["status"]?.stringValue == "ok" && health.json?["server"]?.stringValue == "autogit")
            _ = try await server.registerRunner("r1", gpus: 2)
            _ = try await server.submitJob()
            let status = try await server.request("GET", "/v1/system/status", token: server.admin)
            #expect(status.json?["runners"]?["total"]?.intValue == 1)
            #expect(status.json?["jobs"]?["queued"]?.intValue == 1)
            #expect(status.json?["gpus"]?["total"]?.intValue == 2)
            let info = try await server.request("GET", "/v1/system/info", token: server.admin)
            #expect(info.json?["api_version"]?.stringValue == "v1" && (info.json?["cpu_count"]?.intValue ?? 0) >= 1)
        }
    }

    @Test("metrics count requests by route template and report runners, jobs, queue depth and journal syncs")
    func prometheus() async throws {
        try await withServer { server in
            let runner = try await server.registerRunner("metered")
            _ = try await server.submitJob()
            _ = try await server.request("GET", "/v1/runners/\(runner.id)", token: server.admin)
            _ = try await server.request("GET", "/v1/runners/no-such", token: server.admin)
            let metrics = try await server.request("GET", "/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            for line in [
                #"autogit_http_requests_total{method="GET",route="/v1/runners/{id}",status="200"} 1"#,
                #"autogit_http_requests_total{method="GET",route="/v1/runners/{id}",status="404"} 1"#,
                #"autogit_http_request_duration_seconds_count{route="/v1/runners/{id}"} 2"#,
                #"autogit_runners{status="idle"} 1"#, #"autogit_jobs{status="queued"} 1"#, "autogit_jobs_queued 1",
                "# TYPE autogit_journal_fsync_duration_seconds histogram",
            ] {
                #expect(text.contains(line + "\n"), "missing: \(line)")
            }
            #expect(!text.contains(runner.id), "raw paths never become labels")
        }
    }

    @Test("every operation of the contract is routed: no 404 NOT_FOUND or 405 for a path the contract lists")
    func contractRouted() async throws {
        let contract = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Docs/openapi.yaml")
        let text = try String(contentsOf: contract, encoding: .utf8)
        var operations: [(String, String)] = []
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if !line.hasPrefix(" "), !line.isEmpty {
                if line != "paths:" { path = nil }
            } else if let current = path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(method) { operations.append((method.uppercased(), current)) }
            }
        }
        #expect(operations.count > 80)
        try await withServer { server in
            for (method, template) in operations where template != "/v1/events" {
                let path = template.replacing(#/\{[^}]+\}/#, with: "x")
                let query = path.hasSuffix("/jobs/request") ? "?wait=0" : ""
                let body = method == "GET" || method == "DELETE" ? nil : "{}"
                let answer = try await server.request(method, path + query, token: server.admin, body: body)
                #expect(answer.status != 405, "\(method) \(template)")
                #expect(!(answer.status == 404 && answer.errorCode == "NOT_FOUND"), "\(method) \(template): \(answer.text)")
                #expect(answer.status != 500, "\(method) \(template): \(answer.text)")
            }
        }
    }
}
