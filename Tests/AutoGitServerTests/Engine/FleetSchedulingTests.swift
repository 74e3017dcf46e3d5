import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

/// The engine's side of scheduling: passes place jobs with the Core scheduler on the runners whose agents poll,
/// hand them over through the runners' mailboxes, and take them back when runners go away.
@Suite("Fleet: scheduling passes, hand-over and re-queue")
struct FleetSchedulingTests {
    let directory = TemporaryDirectory()
    let clock = TestClock()

    func makeFleet() throws -> (Fleet, EventBus) {
        let events = EventBus()
        let clock = self.clock
        return (Fleet(store: try DurableStore(directory: directory.path), events: events, now: { clock.now }), events)
    }

    static func gpu(_ index: Int, model: String = "NVIDIA A100-SXM4-80GB", memory: Int = 81_920) -> GPU {
        GPU(id: "", index: index, vendor: .nvidia, model: model, memoryTotalMB: memory)
    }

    static func registration(
        _ name: String, labels: [String] = ["linux"], architecture: Architecture = .amd64, gpus: [GPU] = [], concurrency: Int = 4
    ) -> RunnerRegistration {
        var registration = RunnerRegistration(name: name, type: .native)
        registration.host = "\(name).local"
        registration.labels = labels
        registration.architecture = architecture
        registration.gpus = gpus
        registration.maxConcurrentJobs = concurrency
        return registration
    }

    static func spec(
        _ name: String = "job", gpus: Int = 0, type: String? = nil, labels: [String] = [], architecture: Architecture? = nil,
        retries: Int = 0
    ) -> JobSpec {
        JobSpec(
            name: name, steps: [JobStep(name: "run", run: "true")], retryCount: retries,
            requirements: JobRequirements(
                labels: labels, architecture: architecture, gpu: gpus > 0 ? GPURequirement(count: gpus, type: type) : nil))
    }

    /// Everything `runnerID` is handed when it polls until nothing is left.
    func takeAll(_ fleet: Fleet, _ runnerID: String) async throws -> [Job] {
        var taken: [Job] = []
        while let job = try await fleet.requestJob(for: runnerID, wait: 0) { taken.append(job) }
        return taken
    }

    /// Checks that no GPU is held by two jobs and that the runners' GPU records agree with the jobs'.
    func expectGPUsHeldOnce(_ fleet: Fleet, _ runners: [Runner]) async throws {
        for runner in runners {
            let jobs = await fleet.listJobs(runnerQuery(runner.id)).items.filter { $0.status == .assigned || $0.status == .running }
            var holders: [Int: String] = [:]
            for job in jobs {
                for index in job.gpuIndices {
                    #expect(holders[index] == nil, "GPU \(index) of \(runner.name) given to \(holders[index] ?? "") and \(job.id)")
                    holders[index] = job.id
                }
            }
            let recorded = try await fleet.runner(runner.id).gpus
            for gpu in recorded { #expect(gpu.allocatedJobID == holders[gpu.index]) }
        }
    }

    func runnerQuery(_ id: String) -> JobQuery {
        var query = JobQuery()
        query.runnerID = id
        query.limit = 500
        return query
    }

    @Test("a job goes only to a runner with its labels, architecture and GPU type, whichever runner asks first")
    func placementMatches() async throws {
        let (fleet, _) = try makeFleet()
        let cpu = try await fleet.register(Self.registration("cpu"))
        let arm = try await fleet.register(Self.registration("arm", architecture: .arm64))
        let a100 = try await fleet.register(
            Self.registration("a100", labels: ["linux", "cuda"], gpus: [Self.gpu(0), Self.gpu(1)]))
        let h100 = try await fleet.register(
            Self.registration("h100", labels: ["linux", "cuda"], gpus: [Self.gpu(0, model: "NVIDIA H100 80GB HBM3")]))
        let armJob = try await fleet.submit(Self.spec("arm", architecture: .arm64))
        let cudaJob = try await fleet.submit(Self.spec("cuda", labels: ["cuda"]))
        let h100Job = try await fleet.submit(Self.spec("h100", gpus: 1, type: "h100"))
        let a100Job = try await fleet.submit(Self.spec("a100", gpus: 2, type: "a100"))
        let anyJob = try await fleet.submit(Self.spec("any"))

        // The least suitable runners ask first: each takes only what it matches.
        #expect(try await takeAll(fleet, cpu.id).map(\.id) == [anyJob.id])
        #expect(try await takeAll(fleet, arm.id).map(\.id) == [armJob.id])
        let onH100 = try await takeAll(fleet, h100.id)
        #expect(onH100.map(\.id) == [cudaJob.id, h100Job.id])
        #expect(onH100.last?.gpuIndices == [0])
        let onA100 = try await takeAll(fleet, a100.id)
        #expect(onA100.map(\.id) == [a100Job.id] && onA100.first?.gpuIndices == [0, 1])
        #expect(await fleet.queueDepth == 0)
    }

    @Test("a job nobody matches stays queued; a runner that matches takes it when it registers and asks")
    func waitsForAMatchingRunner() async throws {
        let (fleet, _) = try makeFleet()
        let cpu = try await fleet.register(Self.registration("cpu"))
        let job = try await fleet.submit(Self.spec("gpu", gpus: 1))
        #expect(try await fleet.requestJob(for: cpu.id, wait: 0) == nil)
        #expect(try await fleet.job(job.id).status == .queued)
        let box = try await fleet.register(Self.registration("box", gpus: [Self.gpu(0)]))
        #expect(try await fleet.requestJob(for: box.id, wait: 0)?.id == job.id)
    }

    @Test("runners polling at the same time never get the same GPU, through assignments and completions")
    func gpusAreNeverShared() async throws {
        let (fleet, events) = try makeFleet()
        var runners: [Runner] = []
        for name in ["one", "two", "three"] {
            runners.append(try await fleet.register(Self.registration(name, gpus: (0..<4).map { Self.gpu($0) }, concurrency: 6)))
        }
        var generator = SplitMix(seed: 7)
        var running: [(job: String, runner: String)] = []
        for round in 0..<12 {
            for index in 0..<5 {
                _ = try await fleet.submit(Self.spec("r\(round)-\(index)", gpus: Int(generator.next() % 3), retries: 0))
            }
            let received = try await withThrowingTaskGroup(of: [(String, String)].self) { group in
                for runner in runners {
                    group.addTask {
                        try await takeAll(fleet, runner.id).map { ($0.id, runner.id) }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            running += received.map { (job: $0.0, runner: $0.1) }
            try await expectGPUsHeldOnce(fleet, runners)
            // Some jobs end (in another order than they started), freeing their GPUs for the next round.
            for _ in 0..<min(running.count, 4) {
                let ended = running.remove(at: Int(generator.next() % UInt64(running.count)))
                _ = try await fleet.updateJob(ended.job, from: ended.runner, JobUpdate(status: .succeeded, exitCode: 0))
            }
            try await expectGPUsHeldOnce(fleet, runners)
        }
        let allocations = events.events(after: nil, types: [.gpuAllocated])
        #expect(allocations.count > 10)
    }

    @Test("a large GPU job is not starved by a stream of one-GPU jobs")
    func largeJobIsNotStarved() async throws {
        let (fleet, _) = try makeFleet()
        let box = try await fleet.register(Self.registration("box", gpus: (0..<4).map { Self.gpu($0) }, concurrency: 8))
        var running: [String] = []
        for index in 0..<3 { _ = try await fleet.submit(Self.spec("small-\(index)", gpus: 1)) }
        running += try await takeAll(fleet, box.id).map(\.id)
        #expect(running.count == 3)
        let large = try await fleet.submit(Self.spec("large", gpus: 4))
        var placedAt: Int?
        for tick in 0..<10 where placedAt == nil {
            // Two small jobs arrive for every one that ends: without a reservation the freed GPU would always go
            // to one of them.
            for index in 0..<2 { _ = try await fleet.submit(Self.spec("small-\(tick)-\(index)", gpus: 1)) }
            if !running.isEmpty {
                _ = try await fleet.updateJob(running.removeFirst(), from: box.id, JobUpdate(status: .succeeded, exitCode: 0))
            }
            for job in try await takeAll(fleet, box.id) {
                if job.id == large.id { placedAt = tick } else { running.append(job.id) }
            }
        }
        let placed = try await fleet.job(large.id)
        #expect(placed.status == .assigned && placed.gpuIndices == [0, 1, 2, 3])
        #expect(placedAt == 2, "placed once the three small jobs that ran before it ended")
    }

    @Test("a job whose runner misses its heartbeats is queued again and placed on another runner")
    func requeuedOnAnotherRunner() async throws {
        let (fleet, events) = try makeFleet()
        let lost = try await fleet.register(Self.registration("lost", gpus: [Self.gpu(0)]))
        let job = try await fleet.submit(Self.spec("train", gpus: 1, retries: 1))
        #expect(try await fleet.requestJob(for: lost.id, wait: 0)?.id == job.id)
        _ = try await fleet.updateJob(job.id, from: lost.id, JobUpdate(status: .running))
        let healthy = try await fleet.register(Self.registration("healthy", gpus: [Self.gpu(0)]))
        clock.advance(20)
        _ = try await fleet.heartbeat(healthy.id, Heartbeat())
        clock.advance(15)
        await fleet.sweep()

        #expect(try await fleet.runner(lost.id).status == .offline)
        #expect(try await fleet.runner(healthy.id).status == .idle)
        let requeued = try await fleet.job(job.id)
        #expect(requeued.status == .queued && requeued.attempt == 2 && requeued.gpuIndices.isEmpty)
        #expect(requeued.statusReason?.contains("missed its heartbeats") == true)
        #expect(try await fleet.runner(lost.id).gpus.first?.allocatedJobID == nil)
        let statuses = events.events(after: nil, types: [.jobStatusChanged]).compactMap { $0.payload["new_status"]?.stringValue }
        #expect(statuses == ["queued", "assigned", "running", "queued"])

        let retried = try #require(try await fleet.requestJob(for: healthy.id, wait: 0))
        #expect(retried.id == job.id && retried.attempt == 2 && retried.runnerID == healthy.id && retried.gpuIndices == [0])
        // The lost runner's agent can no longer report on the job.
        await #expect {
            _ = try await fleet.updateJob(job.id, from: lost.id, JobUpdate(status: .succeeded))
        } throws: { error in (error as? ServerError)?.status == 403 }
    }

    @Test("a job left in the mailbox of an agent that stopped asking returns to the queue without using an attempt")
    func unclaimedMailIsTakenBack() async throws {
        let (fleet, _) = try makeFleet()
        let first = try await fleet.register(Self.registration("first", concurrency: 2))
        let kept = try await fleet.submit(Self.spec("kept"))
        let left = try await fleet.submit(Self.spec("left"))
        #expect(try await fleet.requestJob(for: first.id, wait: 0)?.id == kept.id)
        #expect(try await fleet.job(left.id).status == .assigned, "placed in the same pass, waiting in the mailbox")
        clock.advance(5)
        await fleet.sweep()
        #expect(try await fleet.job(left.id).status == .assigned, "not yet: the agent may still ask")
        clock.advance(6)
        _ = try await fleet.heartbeat(first.id, Heartbeat(runningJobIDs: [kept.id]))
        await fleet.sweep()
        let back = try await fleet.job(left.id)
        #expect(back.status == .queued && back.attempt == 1 && back.runnerID == nil)
        let second = try await fleet.register(Self.registration("second"))
        #expect(try await fleet.requestJob(for: second.id, wait: 0)?.id == left.id)
    }

    @Test("a runner whose poll was abandoned is offered nothing: the next job goes to a runner that asks")
    func abandonedPollIsNotReady() async throws {
        let (fleet, _) = try makeFleet()
        let gone = try await fleet.register(Self.registration("gone"))
        let poll = Task { try await fleet.requestJob(for: gone.id, wait: 20) }
        while await fleet.readyPolls[gone.id] == nil { await Task.yield() }
        poll.cancel()
        #expect(try await poll.value == nil)
        #expect(await fleet.readyPolls[gone.id] == nil)
        let job = try await fleet.submit(Self.spec())
        while await fleet.passes.task != nil { await Task.yield() }
        #expect(try await fleet.job(job.id).status == .queued)
        let asking = try await fleet.register(Self.registration("asking"))
        #expect(try await fleet.requestJob(for: asking.id, wait: 0)?.id == job.id)
    }

    @Test("cancelling a job its agent never received frees its GPUs at once; one it runs keeps them until it stops")
    func cancelAndGPUs() async throws {
        let (fleet, _) = try makeFleet()
        let box = try await fleet.register(Self.registration("box", gpus: [Self.gpu(0), Self.gpu(1)], concurrency: 2))
        let held = try await fleet.submit(Self.spec("held", gpus: 1))
        let waiting = try await fleet.submit(Self.spec("waiting", gpus: 1))
        #expect(try await fleet.requestJob(for: box.id, wait: 0)?.id == held.id)
        let cancelledWaiting = try await fleet.cancel(waiting.id)
        #expect(cancelledWaiting.status == .cancelled && !cancelledWaiting.cancelRequested)
        #expect(try await fleet.runner(box.id).gpus.map(\.allocatedJobID) == [held.id, nil])

        _ = try await fleet.updateJob(held.id, from: box.id, JobUpdate(status: .running))
        let cancelledHeld = try await fleet.cancel(held.id)
        #expect(cancelledHeld.cancelRequested)
        clock.advance(1)
        let acknowledgement = try await fleet.heartbeat(box.id, Heartbeat(runningJobIDs: [held.id]))
        #expect(acknowledgement.cancelJobIDs == [held.id])
        #expect(try await fleet.runner(box.id).gpus.first?.allocatedJobID == held.id, "the process may still run")
        clock.advance(1)
        _ = try await fleet.heartbeat(box.id, Heartbeat(runningJobIDs: []))
        #expect(try await fleet.runner(box.id).gpus.allSatisfy { $0.allocatedJobID == nil }, "a heartbeat without it frees them")
    }

    @Test("an assigned job whose hand-over was lost is offered again once a heartbeat shows the agent lacks it")
    func lostHandOverIsOfferedAgain() async throws {
        let (fleet, _) = try makeFleet()
        let box = try await fleet.register(Self.registration("box"))
        let job = try await fleet.submit(Self.spec())
        #expect(try await fleet.requestJob(for: box.id, wait: 0)?.id == job.id)
        clock.advance(1)
        // This heartbeat may have left the agent before the job arrived: it proves nothing yet.
        _ = try await fleet.heartbeat(box.id, Heartbeat())
        #expect(try await fleet.requestJob(for: box.id, wait: 0) == nil)
        clock.advance(1)
        _ = try await fleet.heartbeat(box.id, Heartbeat())
        let again = try #require(try await fleet.requestJob(for: box.id, wait: 0))
        #expect(again.id == job.id && again.attempt == 1)
    }

    @Test("a burst of submissions is placed in fewer passes than submissions, and an idle poll with nothing new runs none")
    func passesCoalesce() async throws {
        let (fleet, _) = try makeFleet()
        let box = try await fleet.register(Self.registration("box", concurrency: 1024))
        let before = await fleet.passes.started
        let count = 200
        // The agent asks again when a poll ends empty, as agents do: on a loaded machine the burst may outlast a poll.
        async let polled: Job? = {
            for _ in 0..<10 {
                if let job = try await fleet.requestJob(for: box.id, wait: 20) { return job }
            }
            return nil
        }()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count { group.addTask { _ = try await fleet.submit(Self.spec("burst-\(index)")) } }
            try await group.waitForAll()
        }
        #expect(try await polled != nil)
        let taken = try await takeAll(fleet, box.id)
        #expect(taken.count == count - 1)
        let passes = await fleet.passes.started - before
        #expect(passes < count, "\(passes) passes for \(count) submissions")

        let unmatched = try await fleet.submit(Self.spec("unmatched", labels: ["rocm"]))
        #expect(try await fleet.requestJob(for: box.id, wait: 0) == nil)
        let settled = await fleet.passes.started
        #expect(try await fleet.requestJob(for: box.id, wait: 0) == nil)
        #expect(await fleet.passes.started == settled, "nothing changed, so no pass")
        #expect(try await fleet.job(unmatched.id).status == .queued)
    }

    @Test("a job assigned before a restart is not handed out twice, and runs once its runner has room")
    func restartKeepsAssignments() async throws {
        let runnerID: String
        let jobID: String
        do {
            let store = try DurableStore(directory: directory.path)
            let clock = self.clock
            let fleet = Fleet(store: store, events: EventBus(), now: { clock.now })
            runnerID = try await fleet.register(Self.registration("box", concurrency: 1)).id
            jobID = try await fleet.submit(Self.spec()).id
            #expect(try await fleet.requestJob(for: runnerID, wait: 0)?.id == jobID)
            await store.close()
        }
        let (fleet, _) = try makeFleet()
        #expect(try await fleet.requestJob(for: runnerID, wait: 0) == nil)
        // The agent runs it: its heartbeats list it, and it is not offered again.
        for _ in 0..<2 {
            clock.advance(1)
            _ = try await fleet.heartbeat(runnerID, Heartbeat(runningJobIDs: [jobID]))
        }
        #expect(try await fleet.requestJob(for: runnerID, wait: 0) == nil)
        // An agent that never got it (the answer was lost in the restart) is offered it again.
        for _ in 0..<2 {
            clock.advance(1)
            _ = try await fleet.heartbeat(runnerID, Heartbeat())
        }
        #expect(try await fleet.requestJob(for: runnerID, wait: 0)?.id == jobID)
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
