import Foundation

/// Dedicated threads for file work that blocks in the kernel (`write`, `fdatasync`, reading a large file).
///
/// Swift concurrency's cooperative pool has one thread per core; a handler that blocks one of them in `fdatasync`
/// stalls every other request scheduled there. Metric and artifact I/O is handed to these threads instead, and the
/// calling task suspends until the work is done. Work is spread over ``laneCount`` serial lanes: work given the same
/// lane key (a run id, an artifact name) runs in order, one item at a time, while different keys proceed in parallel.
final class BlockingIO: Sendable {
    private let lanes: [Lane]

    /// Starts `laneCount` threads (at least one) named `name-<n>`.
    init(name: String, laneCount: Int = 4) {
        lanes = (0..<max(1, laneCount)).map { Lane(name: "\(name)-\($0)") }
    }

    var laneCount: Int { lanes.count }

    /// Runs `work` on the lane of `key` and returns its result; the caller suspends, its thread stays free.
    func run<T: Sendable>(key: String, _ work: @escaping @Sendable () throws(ServerError) -> T) async throws(ServerError) -> T {
        let lane = lanes[Self.lane(of: key, count: lanes.count)]
        let result: Result<T, ServerError> = await withCheckedContinuation { continuation in
            lane.submit {
                do throws(ServerError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Stops the threads once the work already submitted is done. Work submitted after that runs on the caller's
    /// thread, so a late call never waits forever.
    func shutdown() {
        for lane in lanes { lane.stop() }
    }

    deinit { shutdown() }

    /// A stable lane for `key` (FNV-1a, not the seeded `Hasher`, so a key keeps its lane for the life of the process
    /// whatever else is hashed).
    static func lane(of key: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(max(1, count)))
    }

    /// One thread taking work items from a queue in order.
    private final class Lane: @unchecked Sendable {
        // Guarded by `condition`.
        private let condition = NSCondition()
        private var queue: [@Sendable () -> Void] = []
        private var isStopping = false
        private var hasExited = false

        init(name: String) {
            let thread = Thread { [self] in self.loop() }
            thread.name = name
            thread.stackSize = 512 * 1024
            thread.start()
        }

        func submit(_ work: @escaping @Sendable () -> Void) {
            condition.lock()
            guard !hasExited else {
                condition.unlock()
                work()
                return
            }
            queue.append(work)
            condition.signal()
            condition.unlock()
        }

        func stop() {
            condition.lock()
            isStopping = true
            condition.signal()
            condition.unlock()
        }

        private func loop() {
            while true {
                condition.lock()
                while queue.isEmpty && !isStopping { condition.wait() }
                if queue.isEmpty && isStopping {
                    hasExited = true
                    condition.unlock()
                    return
                }
                let work = queue.removeFirst()
                condition.unlock()
                work()
            }
        }
    }
}
