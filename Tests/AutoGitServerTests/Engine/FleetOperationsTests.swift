import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

extension FleetTests {
    @Test("a bulk operation reports each runner's outcome and refuses an unknown operation as a whole")
    func bulkOperations() async throws {
        let (fleet, _, _) = try makeFleet()
        let first = try await fleet.register(registration("one"))
        let second = try await fleet.register(registration("two"))
        _ = try await fleet.perform(.stop, on: second.id)
        let stop = try await fleet.bulk(BulkOperation(operation: .stop, filters: .init(ids: [first.id, second.id, "runner-missing"])))
        #expect(stop.results.map(\.success) == [true, false, false])
        #expect(stop.affectedRunners == 1 && !stop.success)
        #expect(stop.results[1].error?.code == .invalidStateTransition)
        #expect(stop.results[2].error?.code == .runnerNotFound)
        let tagged = try await fleet.bulk(BulkOperation(operation: .addTags, data: ["tags": ["prod", "eu"]]))
        #expect(tagged.affectedRunners == 2)
        #expect(try await fleet.runner(first.id).tags == ["prod", "eu"])
        _ = try await fleet.bulk(BulkOperation(operation: .removeTags, filters: .init(ids: [first.id]), data: ["tags": ["eu"]]))
        #expect(try await fleet.runner(first.id).tags == ["prod"])
        let configured = try await fleet.bulk(BulkOperation(operation: .updateConfig, data: ["max_concurrent_jobs": 8]))
        #expect(configured.success)
        #expect(try await fleet.configuration(first.id).configuration.maxConcurrentJobs == 8)
        await #expect(throws: ServerError.self) { _ = try await fleet.bulk(BulkOperation(operation: .unknown("explode"))) }
        await #expect(throws: ServerError.self) { _ = try await fleet.bulk(BulkOperation(operation: .addTags)) }
    }

    @Test("GPUs are listed across runners with filters, and available means healthy and free on a runner that takes jobs")
    func gpuListing() async throws {
        let (fleet, _, _) = try makeFleet()
        let big = try await fleet.register(registration("big", gpus: [gpu(0), gpu(1)]))
        _ = try await fleet.register(registration("small", gpus: [gpu(0, model: "NVIDIA GeForce RTX 4090", memory: 24_576)]))
        _ = try await fleet.submit(spec(gpus: 1, type: "a100"))
        _ = try await fleet.requestJob(for: big.id, wait: 0)
        var query = GPUQuery()
        #expect(await fleet.listGPUs(query).totalCount == 3)
        query.type = "rtx 4090"
        #expect(await fleet.listGPUs(query).items.map(\.model) == ["NVIDIA GeForce RTX 4090"])
        query = GPUQuery()
        query.available = true
        query.onlyOnAcceptingRunners = true
        #expect(await fleet.listGPUs(query).totalCount == 2)
        #expect(try await fleet.gpu("\(big.id):gpu0").allocatedJobID != nil)
        await #expect(throws: ServerError.self) { _ = try await fleet.gpu("\(big.id):gpu7") }
    }

    @Test("the runner log records registration, status changes and jobs, and follows new lines")
    func runnerLog() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("logged"))
        let stream = try await fleet.followRunnerLog(runner.id, lines: nil, level: nil, since: nil, after: nil)
        let job = try await fleet.submit(spec())
        _ = try await fleet.requestJob(for: runner.id, wait: 0)
        _ = try await fleet.updateJob(job.id, from: runner.id, JobUpdate(status: .succeeded, exitCode: 0))
        var messages: [String] = []
        for await entry in stream {
            messages.append(entry.message)
            if entry.message.hasPrefix("Job succeeded") { break }
        }
        #expect(messages.first == "Runner 'logged' registered")
        #expect(messages.contains { $0.hasPrefix("Job assigned: \(job.id)") })
        let warnings = try await fleet.runnerLog(runner.id, lines: 10, level: .warn, since: nil)
        #expect(warnings.isEmpty)
    }
}
