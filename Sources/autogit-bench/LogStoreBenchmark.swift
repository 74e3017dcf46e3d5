import AutoGitCore
import AutoGitServer
import Foundation

/// `autogit-bench logs [--batches N] [--jobs 1,8,64] [--lines 20] [--dir PATH]`: durable job-log uploads per second.
///
/// Each job uploads `--batches` batches of `--lines` lines in turn, as an agent does; every upload returns only once
/// its lines are synced. Jobs upload concurrently. Alongside, a probe task sleeps 1 ms again and again on Swift's
/// cooperative pool and records how late it wakes: a store that blocks pool threads in `fdatasync` shows up there
/// as lateness every other request would suffer too. The data directory must be on the disk you care about (not
/// tmpfs): the default is `./.build/bench-logs`.
func logStoreBenchmark(_ arguments: [String]) async -> Int32 {
    var batches = 400
    var jobCounts = [1, 8, 64]
    var linesPerBatch = 20
    var directory = FileManager.default.currentDirectoryPath + "/.build/bench-logs"
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? arguments[index + 1] : ""
        switch arguments[index] {
        case "--batches": batches = Int(value) ?? batches
        case "--jobs": jobCounts = value.split(separator: ",").compactMap { Int($0) }
        case "--lines": linesPerBatch = max(1, Int(value) ?? linesPerBatch)
        case "--dir": directory = value
        default:
            print("unknown option \(arguments[index]); usage: autogit-bench logs [--batches N] [--jobs 1,8,64] [--lines 20] [--dir PATH]")
            return 2
        }
        index += 2
    }
    let totalBatches = batches
    let lines = linesPerBatch
    print("logs: \(batches) uploads of \(lines) lines per run, spread over the jobs; data in \(directory)")
    var baseline: Double?
    for jobs in jobCounts {
        let runDirectory = directory + "/run-\(jobs)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: runDirectory) }
        do {
            let store = try JobLogStore(directory: runDirectory)
            let probe = Task { await lateness() }
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for job in 0..<jobs {
                    group.addTask {
                        var sequence = 0
                        var batch = job
                        while batch < totalBatches {
                            let entries = (0..<lines).map { _ in
                                sequence += 1
                                return LogEntry(
                                    sequence: sequence, timestamp: Date(), message: "step output line \(sequence) of job \(job)",
                                    stream: .stdout)
                            }
                            _ = try await store.append(entries, to: "job-\(job)")
                            batch += jobs
                        }
                    }
                }
                try await group.waitForAll()
            }
            let seconds = started.duration(to: .now).seconds
            probe.cancel()
            let late = await probe.value
            let rate = Double(batches) / seconds
            if baseline == nil { baseline = rate }
            print(
                String(
                    format: "jobs %3d: %7.0f uploads/s (%8.0f lines/s)  x%.1f vs 1 job   "
                        + "pool lateness: median %.2f ms, p99 %.2f ms, max %.2f ms",
                    jobs, rate, rate * Double(lines), rate / (baseline ?? rate), late.median, late.p99, late.max))
        } catch {
            print("log benchmark failed: \(error)")
            return 1
        }
    }
    return 0
}

/// How late a 1 ms sleep on the cooperative pool wakes, until cancelled: median, p99 and max in milliseconds.
private func lateness() async -> (median: Double, p99: Double, max: Double) {
    var samples: [Double] = []
    while !Task.isCancelled {
        let before = ContinuousClock.now
        try? await Task.sleep(for: .milliseconds(1))
        samples.append(max(0, (before.duration(to: .now).seconds - 0.001) * 1000))
    }
    samples.sort()
    guard !samples.isEmpty else { return (0, 0, 0) }
    func at(_ fraction: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count - 1) * fraction))] }
    return (at(0.5), at(0.99), samples.last ?? 0)
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
