import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Rate limits")
struct RateLimitTests {
    static var limited: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.rateLimits = .init(enabled: true, authenticatedPerMinute: 5, unauthenticatedPerMinute: 3, runnerPerMinute: 50)
        return configuration
    }

    @Test("every answer carries the limit headers; over the limit the answer is 429 with Retry-After")
    func tokenBucket() async throws {
        // Time stands still, so a loaded machine cannot refill the bucket (a token every 12 s) between requests.
        let now = Date().timeIntervalSince1970
        try await withServer(configuration: Self.limited, rateLimitClock: { now }) { server in
            let token = try await server.token(.viewer)
            var remaining: [Int] = []
            for _ in 0..<5 {
                let answer = try await server.request("GET", "/v1/runners", token: token)
                #expect(answer.status == 200)
                #expect(answer.headers["x-ratelimit-limit"] == "5")
                remaining.append(Int(answer.headers["x-ratelimit-remaining"] ?? "") ?? -1)
                let reset = Int(answer.headers["x-ratelimit-reset"] ?? "") ?? 0
                #expect(reset >= Int(now))
            }
            #expect(remaining == [4, 3, 2, 1, 0])
            let refused = try await server.request("GET", "/v1/runners", token: token)
            #expect(refused.status == 429)
            #expect(refused.errorCode == "RATE_LIMIT_EXCEEDED")
            #expect((Int(refused.headers["retry-after"] ?? "") ?? 0) >= 1)
            #expect(refused.headers["x-ratelimit-remaining"] == "0")
            #expect(refused.headers["x-request-id"] != nil)
            // Another token has its own bucket.
            #expect(try await server.request("GET", "/v1/runners", token: server.admin).status == 200)
            // Bulk operations have a bucket of their own, a tenth the size (here: one a minute).
            let bulk = #"{"operation": "add_tags", "data": {"tags": ["x"]}}"#
            let firstBulk = try await server.request("POST", "/v1/runners/bulk", token: server.admin, body: bulk)
            #expect(firstBulk.status == 200 && firstBulk.headers["x-ratelimit-limit"] == "1")
            #expect(try await server.request("POST", "/v1/runners/bulk", token: server.admin, body: bulk).status == 429)
        }
    }

    @Test("requests without a token are counted per address; health and metrics are exempt")
    func unauthenticatedAndExempt() async throws {
        try await withServer(configuration: Self.limited) { server in
            for _ in 0..<3 {
                let answer = try await server.request("GET", "/v1/runners")
                #expect(answer.status == 401 && answer.headers["x-ratelimit-limit"] == "3")
            }
            #expect(try await server.request("GET", "/v1/runners").status == 429)
            for _ in 0..<10 {
                let health = try await server.request("GET", "/v1/health")
                #expect(health.status == 200 && health.headers["x-ratelimit-limit"] == nil)
                #expect(try await server.request("GET", "/metrics").status == 200)
            }
        }
    }

    @Test("runner tokens have their own, higher budget")
    func runnerBudget() async throws {
        try await withServer(configuration: Self.limited) { server in
            let runner = try await server.registerRunner("busy")
            for _ in 0..<20 {
                let answer = try await server.request("POST", "/v1/runners/\(runner.id)/heartbeat", token: runner.token, body: "{}")
                #expect(answer.status == 200 && answer.headers["x-ratelimit-limit"] == "50")
            }
        }
    }

    @Test("switching rate limits off removes the limit and its headers")
    func switchedOff() async throws {
        try await withServer(configuration: Self.limited) { server in
            let patch = try await server.request("PATCH", "/v1/config", token: server.admin, body: #"{"rate_limits": {"enabled": false}}"#)
            #expect(patch.status == 200)
            for _ in 0..<10 {
                let answer = try await server.request("GET", "/v1/runners", token: server.admin)
                #expect(answer.status == 200 && answer.headers["x-ratelimit-limit"] == nil)
            }
        }
    }
}
