import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

/// Who calls, in the auth matrix.
enum Caller: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case admin, `operator`, viewer
    /// The runner token of the runner the route is about (or, on job routes, of the runner holding the job).
    case ownRunner
    /// The runner token of another runner.
    case otherRunner
    /// A `runner` token made with `POST /v1/tokens`: bound to no runner.
    case registration
    case missing
    case invalid

    var testDescription: String { rawValue }
}

/// One class of route, with a request that exercises it.
enum RouteClass: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case open, read, write, admin, runnerRead, runnerAgent, registration, jobRead, jobAgent, session

    var testDescription: String { rawValue }

    /// The status each caller gets.
    func expected(for caller: Caller) -> Int {
        let success = self == .write || self == .registration ? 201 : 200
        switch (self, caller) {
        case (.open, _): return 200
        case (_, .missing), (_, .invalid): return 401
        case (.session, _): return 403
        case (_, .admin): return success
        case (.admin, _): return 403
        case (_, .operator): return success
        case (.read, .viewer), (.runnerRead, .viewer), (.jobRead, .viewer): return success
        case (_, .viewer): return 403
        case (.registration, .registration): return success
        case (.runnerRead, .ownRunner), (.runnerAgent, .ownRunner), (.jobRead, .ownRunner), (.jobAgent, .ownRunner): return success
        default: return 403
        }
    }
}

@Suite("Authentication and roles")
struct AuthMatrixTests {
    /// The fixture for one route class: tokens for every caller, two runners, and a job held by the first.
    struct Fixture {
        var tokens: [Caller: String] = [:]
        var runner: String
        var jobID: String
    }

    func fixture(_ server: RunningServer) async throws -> Fixture {
        let own = try await server.registerRunner("own")
        let other = try await server.registerRunner("other")
        let job = try await server.submitJob()
        let taken = try await server.request("POST", "/v1/runners/\(own.id)/jobs/request?wait=0", token: own.token)
        #expect(taken.status == 200 && taken.json?["id"]?.stringValue == job)
        var fixture = Fixture(runner: own.id, jobID: job)
        fixture.tokens = [
            .admin: server.admin, .operator: try await server.token(.operator), .viewer: try await server.token(.viewer),
            .ownRunner: own.token, .otherRunner: other.token, .registration: try await server.token(.runner, name: "registration"),
            .invalid: "agt_not-a-real-token",
        ]
        return fixture
    }

    func send(_ route: RouteClass, as caller: Caller, _ fixture: Fixture, _ server: RunningServer, round: Int) async throws -> HTTPAnswer {
        let token = fixture.tokens[caller]
        // Alternate the two credential headers so both are exercised.
        let apiKey = round % 2 == 1
        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> HTTPAnswer {
            try await server.request(method, path, token: token, apiKey: apiKey, body: body)
        }
        switch route {
        case .open: return try await call("GET", "/v1/health")
        case .read: return try await call("GET", "/v1/runners")
        case .write: return try await call("POST", "/v1/jobs", #"{"name": "n", "steps": [{"name": "s", "run": "true"}]}"#)
        case .admin: return try await call("GET", "/v1/tokens")
        case .runnerRead: return try await call("GET", "/v1/runners/\(fixture.runner)")
        case .runnerAgent: return try await call("POST", "/v1/runners/\(fixture.runner)/heartbeat", "{}")
        case .registration: return try await call("POST", "/v1/runners/register", #"{"name": "agent-\#(caller.rawValue)"}"#)
        case .jobRead: return try await call("GET", "/v1/jobs/\(fixture.jobID)")
        case .jobAgent: return try await call("PATCH", "/v1/jobs/\(fixture.jobID)", "{}")
        case .session: return try await call("POST", "/v1/auth/refresh")
        }
    }

    @Test("each role reaches exactly the routes of its class", arguments: RouteClass.allCases)
    func matrix(_ route: RouteClass) async throws {
        try await withServer { server in
            let fixture = try await fixture(server)
            for (round, caller) in Caller.allCases.enumerated() {
                let answer = try await send(route, as: caller, fixture, server, round: round)
                let expected = route.expected(for: caller)
                #expect(answer.status == expected, "\(caller) on \(route): \(answer.text)")
                switch answer.status {
                case 401:
                    #expect(answer.errorCode == (caller == .missing ? "AUTHENTICATION_REQUIRED" : "AUTHENTICATION_FAILED"))
                    #expect(answer.headers["www-authenticate"] == "Bearer realm=\"autogit\"")
                case 403: #expect(answer.errorCode == "AUTHORIZATION_FAILED")
                default: break
                }
            }
        }
    }

    @Test("a viewer token gets 403 on every write, and cannot cancel a job")
    func viewerCannotWrite() async throws {
        try await withServer { server in
            let viewer = try await server.token(.viewer)
            let job = try await server.submitJob()
            let writes: [(String, String, String?)] = [
                ("POST", "/v1/jobs/\(job)/cancel", nil), ("POST", "/v1/jobs", "{}"), ("POST", "/v1/webhooks", "{}"),
                ("PATCH", "/v1/config", "{}"), ("POST", "/v1/tokens", "{}"), ("POST", "/v1/runners/bulk", "{}"),
                ("POST", "/v1/runners", "{}"), ("DELETE", "/v1/tokens/tok-1", nil), ("POST", "/v1/instances", "{}"),
                ("POST", "/v1/runs", "{}"),
            ]
            for (method, path, body) in writes {
                let answer = try await server.request(method, path, token: viewer, body: body)
                #expect(answer.status == 403, "\(method) \(path)")
            }
            let stored = try await server.request("GET", "/v1/jobs/\(job)", token: viewer)
            #expect(stored.json?["status"]?.stringValue == "queued")
        }
    }

    @Test("a runner token cannot report on or upload logs for another runner's job")
    func runnerOwnJobsOnly() async throws {
        try await withServer { server in
            let holder = try await server.registerRunner("holder")
            let stranger = try await server.registerRunner("stranger")
            let job = try await server.submitJob()
            _ = try await server.request("POST", "/v1/runners/\(holder.id)/jobs/request?wait=0", token: holder.token)
            let line = #"{"entries": [{"seq": 1, "timestamp": "2024-01-15T10:31:05Z", "message": "x"}]}"#
            let logs = try await server.request("POST", "/v1/jobs/\(job)/logs", token: stranger.token, body: line)
            #expect(logs.status == 403)
            let update = try await server.request("PATCH", "/v1/jobs/\(job)", token: stranger.token, body: #"{"status": "running"}"#)
            #expect(update.status == 403)
            let jobs = try await server.request("GET", "/v1/runners/\(holder.id)/jobs", token: stranger.token)
            #expect(jobs.status == 403)
            let own = try await server.request("POST", "/v1/jobs/\(job)/logs", token: holder.token, body: line)
            #expect(own.status == 200 && own.json?["accepted"]?.intValue == 1)
        }
    }

    @Test("a revoked token answers 401 from then on")
    func revokedToken() async throws {
        try await withServer { server in
            let created = try await server.request("POST", "/v1/tokens", token: server.admin, body: #"{"name": "ci", "role": "operator"}"#)
            let secret = try #require(created.json?["token"]?.stringValue)
            let id = try #require(created.json?["id"]?.stringValue)
            #expect(try await server.request("GET", "/v1/runners", token: secret).status == 200)
            #expect(try await server.request("DELETE", "/v1/tokens/\(id)", token: server.admin).status == 204)
            let after = try await server.request("GET", "/v1/runners", token: secret)
            #expect(after.status == 401 && after.errorCode == "AUTHENTICATION_FAILED")
        }
    }

    @Test("with auth switched off every request acts as admin")
    func authDisabled() async throws {
        var configuration = RunningServer.testConfiguration
        configuration.auth.enabled = false
        try await withServer(configuration: configuration) { server in
            let tokens = try await server.request("GET", "/v1/tokens")
            #expect(tokens.status == 200)
            let job = try await server.request("POST", "/v1/jobs", body: #"{"name": "n", "steps": [{"name": "s", "run": "true"}]}"#)
            #expect(job.status == 201)
        }
    }
}
