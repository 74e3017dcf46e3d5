import Foundation
import Synchronization

/// Token buckets per client key (a token id, or the IP address of an unauthenticated client).
///
/// A bucket holds up to `limit` requests and refills at `limit` per minute, so a client may burst to its limit and
/// then sustains the configured rate. Buckets that are full and untouched for a while are forgotten, which keeps
/// memory bounded by the number of clients active in the last few minutes.
public final class RateLimiter: Sendable {
    /// The outcome of one request against a bucket, with what the `X-RateLimit-*` headers report.
    public struct Decision: Sendable, Equatable {
        public var isAllowed: Bool
        public var limit: Int
        public var remaining: Int
        /// Seconds until the bucket is full again (`X-RateLimit-Reset`).
        public var resetSeconds: Int
        /// Seconds until one more request is allowed (`Retry-After`), zero when allowed.
        public var retryAfterSeconds: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let maximumBuckets: Int

    public init(maximumBuckets: Int = 100_000) {
        self.maximumBuckets = maximumBuckets
    }

    /// Takes one request from `key`'s bucket of `limit` per minute at time `now` (seconds, any monotonic origin).
    public func consume(_ key: String, limit: Int, now: Double) -> Decision {
        let limit = max(1, limit)
        let capacity = Double(limit)
        let perSecond = capacity / 60
        return buckets.withLock { buckets in
            if buckets.count >= maximumBuckets {
                Self.evict(&buckets, now: now, perSecond: perSecond, capacity: capacity, maximum: maximumBuckets)
            }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * perSecond)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            let reset = Int(((capacity - bucket.tokens) / perSecond).rounded(.up))
            let retryAfter = allowed ? 0 : max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
            return Decision(
                isAllowed: allowed, limit: limit, remaining: max(0, Int(bucket.tokens.rounded(.down))),
                resetSeconds: reset, retryAfterSeconds: retryAfter)
        }
    }

    public var trackedClients: Int { buckets.withLock { $0.count } }

    private static func evict(_ buckets: inout [String: Bucket], now: Double, perSecond: Double, capacity: Double, maximum: Int) {
        // Drop buckets that would be full by now: forgetting them changes nothing for their clients.
        buckets = buckets.filter { _, bucket in bucket.tokens + (now - bucket.updated) * perSecond < capacity }
        guard buckets.count >= maximum else { return }
        // Still full of active clients: forget the least recently seen half (they get a fresh bucket).
        let keep = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maximum / 2)
        buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
