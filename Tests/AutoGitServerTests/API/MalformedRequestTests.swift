import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

/// A write endpoint and a body whose JSON is well formed but has a field of the wrong type.
struct WriteEndpoint: Sendable, CustomTestStringConvertible {
    var method: String
    var path: String
    var wrongType: String
    var field: String

    var testDescription: String { "\(method) \(path)" }

    /// `{runner}` and `{job}` are replaced by a registered runner and a job it holds.
    static let all: [WriteEndpoint] = [
        .init(method: "POST", path: "/v1/auth/login", wrongType: #"{"username": 5, "password": "x"}"#, field: "username"),
        .init(method: "POST", path: "/v1/tokens", wrongType: #"{"name": ["ci"], "role": "viewer"}"#, field: "name"),
        .init(
            method: "PATCH", path: "/v1/config", wrongType: #"{"rate_limits": {"authenticated_per_minute": "many"}}"#,
            field: "rate_limits.authenticated_per_minute"),
        .init(method: "POST", path: "/v1/runners", wrongType: #"{"count": "two"}"#, field: "count"),
        .init(method: "POST", path: "/v1/runners/register", wrongType: #"{"name": "r", "labels": "gpu"}"#, field: "labels"),
        .init(
            method: "POST", path: "/v1/runners/bulk", wrongType: #"{"operation": "stop", "filters": {"ids": "r1"}}"#, field: "filters.ids"),
        .init(method: "PUT", path: "/v1/runners/{runner}", wrongType: #"{"tags": {"a": 1}}"#, field: "tags"),
        .init(
            method: "PUT", path: "/v1/runners/{runner}/config", wrongType: #"{"max_concurrent_jobs": "four"}"#, field: "max_concurrent_jobs"
        ),
        .init(method: "POST", path: "/v1/runners/{runner}/stop", wrongType: #"{"graceful": "yes"}"#, field: "graceful"),
        .init(method: "POST", path: "/v1/runners/{runner}/restart", wrongType: #"{"timeout": "soon"}"#, field: "timeout"),
        .init(
            method: "POST", path: "/v1/runners/{runner}/heartbeat", wrongType: #"{"current_load": {"active_jobs": "one"}}"#,
            field: "current_load.active_jobs"),
        .init(method: "POST", path: "/v1/runners/{runner}/jobs", wrongType: #"{"name": "j", "steps": "echo"}"#, field: "steps"),
        .init(method: "POST", path: "/v1/jobs", wrongType: #"{"name": "j", "steps": [{"name": "a", "run": 7}]}"#, field: "steps[0].run"),
        .init(method: "PATCH", path: "/v1/jobs/{job}", wrongType: #"{"exit_code": "zero"}"#, field: "exit_code"),
        .init(
            method: "POST", path: "/v1/jobs/{job}/logs",
            wrongType: #"{"entries": [{"seq": "one", "timestamp": "2024-01-15T10:31:05Z", "message": "x"}]}"#, field: "entries[0].seq"),
        .init(method: "POST", path: "/v1/webhooks", wrongType: #"{"url": 5}"#, field: "url"),
    ]
}

@Suite("Malformed and invalid requests")
struct MalformedRequestTests {
    func resolve(_ endpoint: WriteEndpoint, _ server: RunningServer) async throws -> String {
        let runner = try await server.registerRunner("target-\(UUID().uuidString.prefix(6))")
        let job = try await server.submitJob()
        _ = try await server.request("POST", "/v1/runners/\(runner.id)/jobs/request?wait=0", token: server.admin)
        return endpoint.path.replacingOccurrences(of: "{runner}", with: runner.id).replacingOccurrences(of: "{job}", with: job)
    }

    @Test("malformed JSON is 400 and a wrong type is 422 naming the field, never 500", arguments: WriteEndpoint.all)
    func malformedAndWrongType(_ endpoint: WriteEndpoint) async throws {
        try await withServer { server in
            let path = try await resolve(endpoint, server)
            for broken in [#"{"name": "#, "not json", #"{"a" 1}"#] {
                let answer = try await server.request(endpoint.method, path, token: server.admin, body: broken)
                #expect(answer.status == 400, "\(broken): \(answer.text)")
                #expect(answer.errorCode == "INVALID_REQUEST")
                #expect(answer.json?["error"]?["request_id"]?.stringValue == answer.headers["x-request-id"])
            }
            let wrong = try await server.request(endpoint.method, path, token: server.admin, body: endpoint.wrongType)
            #expect(wrong.status == 422, "\(wrong.text)")
            #expect(wrong.errorCode == "VALIDATION_FAILED")
            #expect(wrong.errorField == endpoint.field)
        }
    }

    @Test("invalid values are 422 naming the field")
    func invalidValues() async throws {
        try await withServer { server in
            let cases: [(String, String, String, String)] = [
                ("POST", "/v1/jobs", #"{"name": "j", "steps": []}"#, "steps"),
                ("POST", "/v1/jobs", #"{"name": "j", "steps": [{"name": "a", "run": "x"}], "timeout": 0}"#, "timeout"),
                (
                    "POST", "/v1/jobs", #"{"name": "j", "steps": [{"name": "a", "run": "x"}], "requirements": {"gpu": {"count": -1}}}"#,
                    "requirements.gpu.count"
                ),
                ("POST", "/v1/tokens", #"{"name": "x", "role": "superuser"}"#, "role"),
                ("PATCH", "/v1/config", #"{"rate_limits": {"authenticated_per_minute": 0}}"#, "rate_limits.authenticated_per_minute"),
                ("PATCH", "/v1/config", #"{"no_such_section": {}}"#, "no_such_section"),
                ("POST", "/v1/webhooks", #"{"url": "ftp://example.com"}"#, "url"),
                ("POST", "/v1/webhooks", #"{"url": "http://127.0.0.1:9/h", "events": ["no_such_event"]}"#, "events[0]"),
                ("POST", "/v1/runners/bulk", #"{"operation": "explode"}"#, "operation"),
                ("POST", "/v1/runners/register", #"{"name": " "}"#, "name"),
            ]
            for (method, path, body, field) in cases {
                let answer = try await server.request(method, path, token: server.admin, body: body)
                #expect(answer.status == 422, "\(method) \(path) \(body): \(answer.text)")
                #expect(answer.errorField == field, "\(body)")
            }
        }
    }

    @Test("bad query parameters are 400 naming the parameter; unknown routes 404; wrong methods 405")
    func queriesAndRoutes() async throws {
        try await withServer { server in
            for path in [
                "/v1/runners?limit=501", "/v1/jobs?limit=0", "/v1/jobs?offset=-1", "/v1/gpus?available=maybe", "/v1/events?types=nope",
            ] {
                let answer = try await server.request("GET", path, token: server.admin)
                #expect(answer.status == 400 && answer.errorCode == "INVALID_REQUEST", "\(path)")
                #expect(answer.json?["error"]?["details"]?["parameter"] != nil)
            }
            let missing = try await server.request("GET", "/v1/nothing-here", token: server.admin)
            #expect(missing.status == 404 && missing.errorCode == "NOT_FOUND")
            let method = try await server.request("DELETE", "/v1/jobs", token: server.admin)
            #expect(method.status == 405 && method.headers["allow"]?.contains("POST") == true)
            let unknownJob = try await server.request("GET", "/v1/jobs/job-0", token: server.admin)
            #expect(unknownJob.status == 404 && unknownJob.errorCode == "JOB_NOT_FOUND")
            let form = try await server.request(
                "POST", "/v1/jobs", token: server.admin, body: "name=x", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 400 && form.errorCode == "INVALID_REQUEST")
        }
    }

    @Test("every response carries X-Request-ID, and a sane client id is echoed")
    func requestIDs() async throws {
        try await withServer { server in
            let echoed = try await server.request("GET", "/v1/health", headers: ["X-Request-ID": "client-42"])
            #expect(echoed.headers["x-request-id"] == "client-42")
            for path in ["/v1/health", "/v1/runners", "/v1/nothing", "/metrics"] {
                #expect(try await server.request("GET", path).headers["x-request-id"]?.isEmpty == false)
            }
        }
    }
}
