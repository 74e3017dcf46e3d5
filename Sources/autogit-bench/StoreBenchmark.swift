import AutoGitServer
import Foundation

/// `autogit-bench store [--writes N] [--writers 1,8,64] [--dir PATH]`: durable writes per second with fsync.
///
/// Each write is one `DurableStore.commit` of a ~300-byte JSON value, which returns only once the write is synced.
/// The baseline is one writer at a time, where every write pays a whole fdatasync; with more concurrent writers
/// the store's group commit covers many writes with one sync. The data directory must be on the disk you care
/// about (not tmpfs): the default is `./.build/bench-store`.
func storeBenchmark(_ arguments: [String]) async -> Int32 {
    var writes = 2000
    var writerCounts = [1, 8, 64]
    var directory = FileManager.default.currentDirectoryPath + "/.build/bench-store"
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? arguments[index + 1] : ""
        switch arguments[index] {
        case "--writes": writes = Int(value) ?? writes
        case "--writers": writerCounts = value.split(separator: ",").compactMap { Int($0) }
        case "--dir": directory = value
        default:
            print("unknown option \(arguments[index]); usage: autogit-bench store [--writes N] [--writers 1,8,64] [--dir PATH]")
            return 2
        }
        index += 2
    }
    let value = Array(String(repeating: "x", count: 280).utf8)
    let totalWrites = writes
    var baseline: Double?
    print("store: \(writes) durable writes per run, data in \(directory)")
    for writers in writerCounts {
        let runDirectory = directory + "/run-\(writers)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: runDirectory) }
        do {
            let store = try DurableStore(directory: runDirectory)
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var key = writer
                        while key < totalWrites {
                            try await store.commit(.put("jobs", "job-\(key)", bytes: value))
                            key += writers
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let statistics = store.statistics
            await store.close()
            let rate = Double(writes) / seconds
            if baseline == nil { baseline = rate }
            let averageSync = statistics.syncs > 0 ? statistics.syncSeconds / Double(statistics.syncs) * 1000 : 0
            print(
                String(
                    format: "writers %3d: %8.0f writes/s  %5d syncs (%.1f writes/sync, avg sync %.2f ms)  x%.1f vs 1 writer",
                    writers, rate, statistics.syncs, Double(writes) / Double(max(1, statistics.syncs)), averageSync,
                    rate / (baseline ?? rate)))
        } catch {
            print("store benchmark failed: \(error)")
            return 1
        }
    }
    return 0
}
