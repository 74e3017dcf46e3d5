import AutoGitCore
import AutoGitServer
import Foundation

/// `autogit-bench engine [--runners N] [--backlog N] [--samples N]`: the engine's cost at fleet scale, in process.
///
/// Registers `--runners` runners (a quarter with 8 A100s) whose agents all poll, queues a backlog of `--backlog` jobs
/// that no runner matches (they stay queued), then submits `--samples` placeable jobs one at a time and measures
/// how long each takes from `submit` to `assigned`: a scheduling pass over the whole fleet and the backlog, plus
/// two journal syncs. A pass reads the front of each queue lane, not the backlog, so the figure should not grow
/// with `--backlog`.
func engineBenchmark(_ arguments: [String]) async -> Int32 {
    var runnerCount = 10_000
    var backlog = 100_000
    var samples = 50
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
        switch arguments[index] {
        case "--runners": runnerCount = value ?? runnerCount
        case "--backlog": backlog = value ?? backlog
        case "--samples": samples = value ?? samples
        default:
            print("unknown option \(arguments[index]); usage: autogit-bench engine [--runners N] [--backlog N] [--samples N]")
            return 2
        }
        index += 2
    }
    let directory = FileManager.default.currentDirectoryPath + "/.build/bench-engine-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
        let store = try DurableStore(directory: directory)
        let fleet = Fleet(store: store, events: EventBus(capacity: 16))
        print("engine: registering \(runnerCount) runners, queueing \(backlog) jobs no runner matches")
        let runnerIDs = try await inBatches(runnerCount) { number in
            var registration = RunnerRegistration(name: "bench-\(number)", type: .native)
            registration.architecture = .amd64
            registration.labels = ["linux"]
            registration.maxConcurrentJobs = 4
            if number % 4 == 0 {
                registration.gpus = (0..<8).map {
                    GPU(id: "", index: $0, vendor: .nvidia, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81_920)
                }
            }
            return try await fleet.register(registration).id
        }
        _ = try await inBatches(backlog) { number in
            try await fleet.submit(
                JobSpec(
                    name: "backlog-\(number)", steps: [JobStep(name: "s", run: "true")],
                    requirements: JobRequirements(labels: ["rocm-\(number % 8)"])))
        }
        // Every runner's agent polls, as idle agents do.
        let polls = Task {
            await withTaskGroup(of: Void.self) { group in
                for id in runnerIDs { group.addTask { _ = try? await fleet.requestJob(for: id, wait: 600) } }
            }
        }
        try await Task.sleep(for: .seconds(2))
        var latencies: [Double] = []
        for number in 0..<samples {
            let gpu = number % 2 == 0 ? GPURequirement(count: 2, type: "a100") : nil
            let started = ContinuousClock.now
            let job = try await fleet.submit(
                JobSpec(name: "sample-\(number)", steps: [JobStep(name: "s", run: "true")], requirements: JobRequirements(gpu: gpu)))
            while try await fleet.job(job.id).status == .queued { await Task.yield() }
            let elapsed = started.duration(to: .now)
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        await fleet.stopPolling()
        await polls.value
        await store.close()
        latencies.sort()
        let median = latencies[latencies.count / 2]
        let p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        print(
            String(
                format: "submit to assigned with %d polling runners and %d queued jobs: median %.1f ms, p99 %.1f ms, max %.1f ms",
                runnerCount, backlog, median, p99, latencies.last ?? 0))
        return 0
    } catch {
        print("engine: failed: \(error)")
        return 1
    }
}

/// Runs `body` for 0..<count, 256 at a time (so the journal's group commit batches the writes).
private func inBatches<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
    var results: [T] = []
    var start = 0
    while start < count {
        let end = min(count, start + 256)
        results += try await withThrowingTaskGroup(of: T.self) { group in
            for number in start..<end { group.addTask { try await body(number) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        start = end
    }
    return results
}
