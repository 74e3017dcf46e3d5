/// A binary min-heap of packed `(rank << 32) | version` entries: the runners of one bucket of a scheduling pass,
/// lowest rank first. Entries go stale when their runner's version moves on; the pass drops them as it meets them.
struct RunnerHeap {
    private var entries: [UInt64] = []

    var isEmpty: Bool { entries.isEmpty }

    var min: UInt64? { entries.first }

    static func entry(rank: Int, version: UInt32) -> UInt64 {
        UInt64(rank) << 32 | UInt64(version)
    }

    static func rank(of entry: UInt64) -> Int { Int(entry >> 32) }

    static func version(of entry: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: entry) }

    mutating func insert(_ entry: UInt64) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child] < entries[parent] else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeMin() {
        guard !entries.isEmpty else { return }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return }
        entries[0] = last
        var parent = 0
        let count = entries.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && entries[right] < entries[left] ? right : left
            guard entries[smaller] < entries[parent] else { break }
            entries.swapAt(smaller, parent)
            parent = smaller
        }
    }
}
