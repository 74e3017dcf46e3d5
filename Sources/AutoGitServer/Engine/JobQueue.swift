import AutoGitCore
import Foundation

/// The queued jobs, grouped into lanes of equal requirements, each lane in the scheduler's order: higher priority
/// first, then earlier submission, then id.
///
/// A scheduling pass needs from each lane only its first jobs: jobs with equal requirements are interchangeable, so
/// when one of them cannot be placed neither can any behind it, and a pass places at most as many jobs of a lane as
/// the runners that match it have free slots. ``window(_:)`` hands over that much, so a pass costs what can be
/// placed, not the length of the queue.
///
/// Jobs mostly join at the end of their lane and leave from its front (the oldest are placed first): both are O(1)
/// here, and a job leaving from the middle (a cancel) leaves a tombstone that is swept when it reaches the front.
struct JobQueue {
    /// Where a job stands in its lane.
    struct Key: Comparable, Hashable {
        var priority: Int
        var submittedAt: Date
        var id: String

        init(_ job: Job) {
            priority = job.spec.priority
            submittedAt = job.createdAt
            id = job.id
        }

        static func < (left: Key, right: Key) -> Bool {
            if left.priority != right.priority { return left.priority > right.priority }
            if left.submittedAt != right.submittedAt { return left.submittedAt < right.submittedAt }
            return left.id < right.id
        }
    }

    /// The jobs of one set of requirements, in key order. `keys[..<head]` have left; ids in `removed` left from
    /// behind the front and are skipped.
    private struct Lane {
        var keys: [Key] = []
        var head = 0
        var removed: Set<String> = []

        var count: Int { keys.count - head - removed.count }

        mutating func insert(_ key: Key) {
            // A job that left and comes back (a re-queue) still has its place when its tombstone is there.
            if removed.remove(key.id) != nil { return }
            if keys.count == head || keys[keys.count - 1] < key {
                keys.append(key)
            } else if key < keys[head] && head > 0 {
                head -= 1
                keys[head] = key
            } else {
                var low = head
                var high = keys.count
                while low < high {
                    let middle = (low + high) / 2
                    if keys[middle] < key { low = middle + 1 } else { high = middle }
                }
                keys.insert(key, at: low)
            }
        }

        mutating func remove(_ id: String) {
            guard head < keys.count else { return }
            if keys[head].id == id {
                head += 1
                while head < keys.count, removed.remove(keys[head].id) != nil { head += 1 }
            } else {
                removed.insert(id)
            }
            compactIfSparse()
        }

        /// Drops what has left once it outweighs what is left, so memory follows the queue's length.
        private mutating func compactIfSparse() {
            let gone = head + removed.count
            guard gone >= 1024, gone > keys.count / 2 else { return }
            let removed = self.removed
            keys = keys[head...].filter { !removed.contains($0.id) }
            head = 0
            self.removed = []
        }

        /// The first `limit` keys still queued.
        func prefix(_ limit: Int) -> [Key] {
            var result: [Key] = []
            var position = head
            while result.count < limit, position < keys.count {
                if !removed.contains(keys[position].id) { result.append(keys[position]) }
                position += 1
            }
            return result
        }
    }

    private var lanes: [JobRequirements: Lane] = [:]
    private var laneOf: [String: JobRequirements] = [:]

    /// How many jobs are queued.
    private(set) var count = 0

    func contains(_ id: String) -> Bool { laneOf[id] != nil }

    mutating func insert(_ job: Job) {
        guard laneOf[job.id] == nil else { return }
        let requirements = job.spec.requirements
        laneOf[job.id] = requirements
        lanes[requirements, default: Lane()].insert(Key(job))
        count += 1
    }

    mutating func remove(_ job: Job) {
        guard let requirements = laneOf.removeValue(forKey: job.id) else { return }
        lanes[requirements]?.remove(job.id)
        if lanes[requirements]?.count == 0 { lanes[requirements] = nil }
        count -= 1
    }

    /// The first jobs of every lane, as many as `limit` says for the lane's requirements and length (0 skips it).
    func window(_ limit: (JobRequirements, Int) -> Int) -> [QueuedJob] {
        var jobs: [QueuedJob] = []
        for (requirements, lane) in lanes {
            let count = limit(requirements, lane.count)
            guard count > 0 else { continue }
            for key in lane.prefix(count) {
                jobs.append(QueuedJob(id: key.id, requirements: requirements, priority: key.priority, submittedAt: key.submittedAt))
            }
        }
        return jobs
    }

    /// Every queued id in the order jobs are placed (priority, submission time, id).
    var ordered: [String] {
        lanes.values.flatMap { $0.prefix(Int.max) }.sorted().map(\.id)
    }
}
