import Testing

@testable import AutoGitServer

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test("a client bursts to its limit, is refused with a retry-after, and refills over a minute")
    func burstAndRefill() {
        let limiter = RateLimiter()
        for expected in (0..<10).reversed() {
            let decision = limiter.consume("token-a", limit: 10, now: 0)
            #expect(decision.isAllowed && decision.remaining == expected && decision.limit == 10)
        }
        let refused = limiter.consume("token-a", limit: 10, now: 0)
        #expect(!refused.isAllowed && refused.remaining == 0)
        #expect(refused.retryAfterSeconds == 6)
        #expect(refused.resetSeconds == 60)
        #expect(limiter.consume("token-a", limit: 10, now: 6).isAllowed)
        #expect(!limiter.consume("token-a", limit: 10, now: 6.5).isAllowed)
        #expect(limiter.consume("token-a", limit: 10, now: 120).remaining == 9)
    }

    @Test("clients have separate buckets")
    func separateClients() {
        let limiter = RateLimiter()
        for _ in 0..<3 { _ = limiter.consume("ip:127.0.0.1", limit: 3, now: 0) }
        #expect(!limiter.consume("ip:127.0.0.1", limit: 3, now: 0).isAllowed)
        #expect(limiter.consume("token-b", limit: 3, now: 0).isAllowed)
    }

    @Test("idle full buckets are forgotten when the table is full")
    func bounded() {
        let limiter = RateLimiter(maximumBuckets: 100)
        for client in 0..<1000 { _ = limiter.consume("client-\(client)", limit: 60, now: Double(client)) }
        #expect(limiter.trackedClients <= 100)
    }
}
