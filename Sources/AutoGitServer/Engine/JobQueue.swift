import AutoGitCore

/// Queued job ids: higher priority first, first come first served within a priority.
struct JobQueue {
    private var buckets: [Int: [String]] = [:]
    /// Priorities that have a bucket, highest first.
    private var priorities: [Int] = []

    var count: Int { buckets.values.reduce(0) { $0 + $1.count } }

    mutating func insert(_ job: Job) {
        let priority = job.spec.priority
        if buckets[priority] == nil {
            buckets[priority] = []
            let position = priorities.firstIndex { $0 < priority } ?? priorities.endIndex
            priorities.insert(priority, at: position)
        }
        buckets[priority]?.append(job.id)
    }

    mutating func remove(_ job: Job) {
        let priority = job.spec.priority
        guard var bucket = buckets[priority], let index = bucket.firstIndex(of: job.id) else { return }
        bucket.remove(at: index)
        if bucket.isEmpty {
            buckets[priority] = nil
            priorities.removeAll { $0 == priority }
        } else {
            buckets[priority] = bucket
        }
    }

    /// Every queued id in the order jobs are handed out.
    var ordered: [String] {
        priorities.flatMap { buckets[$0] ?? [] }
    }
}
