import AutoGitCore
import Foundation
import Synchronization
import Testing

@testable import AutoGitServer

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Fleet: runners, jobs and GPU allocation")
struct FleetTests {
    let directory = TemporaryDirectory()
    let clock = TestClock()

    func makeFleet() throws -> (Fleet, DurableStore, EventBus) {
        let store = try DurableStore(directory: directory.path)
        let events = EventBus()
        let clock = self.clock
        return (Fleet(store: store, events: events, now: { clock.now }), store, events)
    }

    func gpu(_ index: Int, model: String = "NVIDIA A100-SXM4-80GB", memory: Int = 81_920) -> GPU {
        GPU(id: "", index: index, vendor: .nvidia, model: model, memoryTotalMB: memory)
    }

    func registration(_ name: String, labels: [String] = ["linux"], gpus: [GPU] = [], concurrency: Int = 4) -> RunnerRegistration {
        var registration = RunnerRegistration(name: name, type: .native)
        registration.labels = labels
        registration.architecture = .amd64
        registration.gpus = gpus
        registration.maxConcurrentJobs = concurrency
        return registration
    }

    func spec(_ name: String = "train", gpus: Int = 0, type: String? = nil, labels: [String] = [], retries: Int = 0) -> JobSpec {
        JobSpec(
            name: name, steps: [JobStep(name: "run", run: "echo hi")], retryCount: retries,
            requirements: JobRequirements(labels: labels, gpu: gpus > 0 ? GPURequirement(count: gpus, type: type) : nil))
    }

    @Test("a registered runner gets an id, GPU ids and appears in filtered, paginated lists")
    func registerAndList() async throws {
        let (fleet, _, _) = try makeFleet()
        let first = try await fleet.register(registration("gpu-box", labels: ["linux", "cuda"], gpus: [gpu(0), gpu(1)]))
        _ = try await fleet.register(registration("cpu-box"))
        #expect(first.id.hasPrefix("runner-"))
        #expect(first.gpus.map(\.id) == ["\(first.id):gpu0", "\(first.id):gpu1"])
        #expect(first.status == .idle)

        var query = RunnerQuery()
        query.labels = ["cuda"]
        #expect(await fleet.listRunners(query).items.map(\.name) == ["gpu-box"])
        query = RunnerQuery()
        query.limit = 1
        let page = await fleet.listRunners(query)
        #expect(page.items.count == 1 && page.totalCount == 2 && page.hasMore)
        query.limit = 10_000
        #expect(await fleet.listRunners(query).limit == 500)
    }

    @Test("an invalid job is refused with 422 naming the field")
    func invalidJob() async throws {
        let (fleet, _, _) = try makeFleet()
        var bad = spec()
        bad.steps = []
        await #expect {
            _ = try await fleet.submit(bad)
        } throws: { error in
            let error = error as? ServerError
            return error?.status == 422 && error?.details?["field"] == "steps"
        }
    }

    @Test("jobs get free GPUs of the right type and wait when none are free")
    func gpuAllocation() async throws {
        let (fleet, _, events) = try makeFleet()
        let runner = try await fleet.register(registration("box", gpus: [gpu(0), gpu(1), gpu(2, model: "NVIDIA H100 80GB HBM3")]))
        let first = try await fleet.submit(spec("a", gpus: 2, type: "a100"))
        let second = try await fleet.submit(spec("b", gpus: 1, type: "a100"))
        let third = try await fleet.submit(spec("c", gpus: 1, type: "h100"))

        let assigned = try #require(try await fleet.requestJob(for: runner.id, wait: 0))
        #expect(assigned.id == first.id && assigned.gpuIndices == [0, 1] && assigned.status == .assigned)
        // The a100 job cannot run (both A100s are held), so the H100 job behind it is placed.
        let next = try #require(try await fleet.requestJob(for: runner.id, wait: 0))
        #expect(next.id == third.id && next.gpuIndices == [2])
        #expect(try await fleet.requestJob(for: runner.id, wait: 0) == nil)
        #expect(try await fleet.job(second.id).status == .queued)

        _ = try await fleet.updateJob(first.id, from: runner.id, JobUpdate(status: .running))
        _ = try await fleet.updateJob(first.id, from: runner.id, JobUpdate(status: .succeeded, exitCode: 0))
        let freed = try #require(try await fleet.requestJob(for: runner.id, wait: 0))
        #expect(freed.id == second.id && freed.gpuIndices == [0])
        let gpus = try await fleet.runner(runner.id).gpus
        #expect(gpus.map(\.allocatedJobID) == [second.id, nil, third.id])
        #expect(events.events(after: nil, types: [.gpuAllocated]).count == 3)
    }

    @Test("a long poll is woken by a submitted job")
    func longPollWakes() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        async let polled = fleet.requestJob(for: runner.id, wait: 10)
        try await Task.sleep(for: .milliseconds(100))
        let job = try await fleet.submit(spec())
        let started = ContinuousClock.now
        let received = try await polled
        #expect(received?.id == job.id)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a long poll with nothing to do returns empty after its wait")
    func longPollTimesOut() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        let started = ContinuousClock.now
        #expect(try await fleet.requestJob(for: runner.id, wait: 0.3) == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(250))
    }

    @Test("labels decide which runner may take a job")
    func labelsMatch() async throws {
        let (fleet, _, _) = try makeFleet()
        let cpu = try await fleet.register(registration("cpu", labels: ["linux"]))
        let cuda = try await fleet.register(registration("cuda", labels: ["linux", "cuda"]))
        let job = try await fleet.submit(spec(labels: ["cuda"]))
        #expect(try await fleet.requestJob(for: cpu.id, wait: 0) == nil)
        #expect(try await fleet.requestJob(for: cuda.id, wait: 0)?.id == job.id)
    }

    @Test("cancel: queued at once, running through the runner's heartbeat, final is a 409")
    func cancel() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        let queued = try await fleet.submit(spec("queued"))
        let running = try await fleet.submit(spec("running"))
        _ = try await fleet.requestJob(for: runner.id, wait: 0)  // takes "queued" (first in)
        let cancelledQueued = try await fleet.cancel(queued.id)
        #expect(cancelledQueued.status == .cancelled && cancelledQueued.cancelRequested)
        let second = try #require(try await fleet.requestJob(for: runner.id, wait: 0))
        #expect(second.id == running.id)
        _ = try await fleet.cancel(running.id)
        let ack = try await fleet.heartbeat(
            runner.id, Heartbeat(currentLoad: RunnerLoad(activeJobs: 2), runningJobIDs: [queued.id, running.id]))
        #expect(Set(ack.cancelJobIDs) == [queued.id, running.id])
        await #expect {
            _ = try await fleet.cancel(running.id)
        } throws: { error in (error as? ServerError)?.status == 409 }
    }

    @Test("a failed job with retries left is queued again with the next attempt")
    func retries() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        let job = try await fleet.submit(spec(retries: 1))
        _ = try await fleet.requestJob(for: runner.id, wait: 0)
        let retried = try await fleet.updateJob(job.id, from: runner.id, JobUpdate(status: .failed, exitCode: 1))
        #expect(retried.status == .queued && retried.attempt == 2)
        #expect(retried.previousAttempts.map(\.attempt) == [1])
        #expect(retried.previousAttempts.first?.status == .failed && retried.previousAttempts.first?.exitCode == 1)
        #expect(retried.previousAttempts.first?.runnerID == runner.id && retried.runnerID == nil && retried.exitCode == nil)
        _ = try await fleet.requestJob(for: runner.id, wait: 0)
        let failed = try await fleet.updateJob(job.id, from: runner.id, JobUpdate(status: .failed, exitCode: 1))
        #expect(failed.status == .failed && failed.attempt == 2 && failed.exitCode == 1)
        #expect(failed.previousAttempts.count == 1, "the last attempt is the job's own")
    }

    @Test("a runner may update only its own jobs")
    func ownJobsOnly() async throws {
        let (fleet, _, _) = try makeFleet()
        let owner = try await fleet.register(registration("owner"))
        let other = try await fleet.register(registration("other"))
        let job = try await fleet.submit(spec())
        _ = try await fleet.requestJob(for: owner.id, wait: 0)
        await #expect {
            _ = try await fleet.updateJob(job.id, from: other.id, JobUpdate(status: .succeeded))
        } throws: { error in (error as? ServerError)?.status == 403 }
    }

    @Test("state transitions: stop, stop again is 409, start; delete busy runner needs force")
    func transitionsAndDelete() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        #expect(try await fleet.perform(.stop, on: runner.id).status == "stopped")
        await #expect {
            _ = try await fleet.perform(.stop, on: runner.id)
        } throws: { error in (error as? ServerError)?.code == .invalidStateTransition }
        #expect(try await fleet.perform(.start, on: runner.id).status == "idle")

        let job = try await fleet.submit(spec(retries: 1))
        _ = try await fleet.requestJob(for: runner.id, wait: 0)
        _ = try await fleet.updateJob(job.id, from: runner.id, JobUpdate(status: .running))
        await #expect {
            _ = try await fleet.deleteRunner(runner.id, force: false)
        } throws: { error in (error as? ServerError)?.status == 409 }
        _ = try await fleet.deleteRunner(runner.id, force: true)
        let requeued = try await fleet.job(job.id)
        #expect(requeued.status == .queued && requeued.attempt == 2)
        await #expect { _ = try await fleet.runner(runner.id) } throws: { error in (error as? ServerError)?.status == 404 }
    }

    @Test("a runner that stops heartbeating goes offline; its jobs are queued again while retries last, then fail")
    func offlineSweep() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        let job = try await fleet.submit(spec(retries: 1))
        _ = try await fleet.requestJob(for: runner.id, wait: 0)
        _ = try await fleet.updateJob(job.id, from: runner.id, JobUpdate(status: .running))
        clock.advance(31)
        await fleet.sweep()
        #expect(try await fleet.runner(runner.id).status == .offline)
        let requeued = try await fleet.job(job.id)
        #expect(requeued.status == .queued && requeued.attempt == 2 && requeued.runnerID == nil)
        _ = try await fleet.heartbeat(runner.id, Heartbeat(currentLoad: RunnerLoad(activeJobs: 0)))
        #expect(try await fleet.runner(runner.id).status == .idle)

        #expect(try await fleet.requestJob(for: runner.id, wait: 0)?.id == job.id)
        _ = try await fleet.updateJob(job.id, from: runner.id, JobUpdate(status: .running))
        clock.advance(31)
        await fleet.sweep()
        let failed = try await fleet.job(job.id)
        #expect(failed.status == .failed && failed.attempt == 2 && failed.statusReason?.contains("no retries left") == true)
        #expect(try await fleet.runner(runner.id).gpus.allSatisfy { $0.allocatedJobID == nil })
    }

    @Test("a job its runner's agent had not started when the runner went away goes back without using an attempt")
    func notStartedKeepsItsAttempt() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box"))
        let job = try await fleet.submit(spec())
        #expect(try await fleet.requestJob(for: runner.id, wait: 0)?.id == job.id)
        clock.advance(31)
        await fleet.sweep()
        let requeued = try await fleet.job(job.id)
        #expect(requeued.status == .queued && requeued.attempt == 1 && requeued.runnerID == nil)
    }

    @Test("heartbeats feed the metrics series")
    func metricsSeries() async throws {
        let (fleet, _, _) = try makeFleet()
        let runner = try await fleet.register(registration("box", gpus: [gpu(0)]))
        for step in 0..<6 {
            clock.advance(10)
            _ = try await fleet.heartbeat(
                runner.id,
                Heartbeat(
                    currentLoad: RunnerLoad(activeJobs: 1, cpuUsage: Double(step * 10)), gpus: [GPUReading(index: 0, utilization: 50)]))
        }
        let metrics = try await fleet.metrics(runner.id, period: "1h", resolution: "1m")
        #expect(metrics.metrics["cpu_usage"]?.isEmpty == false)
        #expect(metrics.summary["max_cpu_usage"] == 50)
        #expect(metrics.summary["avg_gpu_utilization"] == 50)
        await #expect { _ = try await fleet.metrics(runner.id, period: "forever", resolution: "1m") } throws: { error in
            (error as? ServerError)?.status == 422
        }
    }

    @Test("runners, jobs, assignments and the queue come back after a restart")
    func survivesRestart() async throws {
        let runnerID: String
        let firstID: String
        let queuedID: String
        do {
            let (fleet, store, _) = try makeFleet()
            runnerID = try await fleet.register(registration("box", concurrency: 1)).id
            firstID = try await fleet.submit(spec("first")).id
            queuedID = try await fleet.submit(spec("second")).id
            #expect(try await fleet.requestJob(for: runnerID, wait: 0)?.id == firstID)
            await store.close()
        }
        let (fleet, _, _) = try makeFleet()
        #expect(try await fleet.runner(runnerID).name == "box")
        #expect(await fleet.queueDepth == 1)
        #expect(try await fleet.job(firstID).status == .assigned)
        // The runner's one slot is still taken by the first job until it ends.
        #expect(try await fleet.requestJob(for: runnerID, wait: 0) == nil)
        _ = try await fleet.updateJob(firstID, from: runnerID, JobUpdate(status: .succeeded, exitCode: 0))
        #expect(try await fleet.requestJob(for: runnerID, wait: 0)?.id == queuedID)
    }

    @Test("two live runners reporting the same GPU (by UUID) raise a system alert naming both; distinct GPUs do not")
    func sharedGPUsAreReported() async throws {
        let (fleet, _, events) = try makeFleet()
        func withUUID(_ index: Int, _ uuid: String) -> GPU {
            var gpu = gpu(index)
            gpu.uuid = uuid
            return gpu
        }
        let first = try await fleet.register(registration("box-a", gpus: [withUUID(0, "GPU-aaa"), withUUID(1, "GPU-bbb")]))
        _ = try await fleet.register(registration("box-b", gpus: [withUUID(0, "GPU-ccc")]))
        #expect(events.events(after: nil, types: [.systemAlert]).isEmpty)
        let second = try await fleet.register(registration("box-c", gpus: [withUUID(0, "GPU-bbb")]))
        let alerts = events.events(after: nil, types: [.systemAlert])
        #expect(alerts.count == 1)
        #expect(alerts.first?.payload["details"]?["gpu_uuids"] == ["GPU-bbb"])
        #expect(alerts.first?.payload["details"]?["runner_ids"] == [.string(second.id), .string(first.id)])
        let log = try await fleet.runnerLog(first.id, lines: 10, level: nil, since: nil).map(\.message)
        #expect(log.contains { $0.contains("both report GPU(s) GPU-bbb") })
    }

    @Test("instances hold GPUs of their host's runners: best fit, kept over a re-registration, freed for jobs on release")
    func instanceHolds() async throws {
        let (fleet, _, events) = try makeFleet()
        var local = registration("local", gpus: [gpu(0), gpu(1), gpu(2)])
        local.host = "this-host"
        var small = registration("small", gpus: [gpu(0)])
        small.host = "this-host"
        var remote = registration("remote", gpus: [gpu(0)])
        remote.host = "elsewhere"
        let box = try await fleet.register(local)
        let single = try await fleet.register(small)
        _ = try await fleet.register(remote)
        let onThisHost: @Sendable (Runner) -> Bool = { $0.host == "this-host" }

        // Best fit: one GPU comes from the one-GPU runner, two from the three-GPU one.
        #expect(try await fleet.holdGPUs(for: "a", GPURequirement(count: 1), onRunners: onThisHost).runnerID == single.id)
        let b = try await fleet.holdGPUs(for: "b", GPURequirement(count: 2), onRunners: onThisHost)
        #expect(b.runnerID == box.id && b.gpus.map(\.index) == [0, 1])
        await #expect {
            _ = try await fleet.holdGPUs(for: "c", GPURequirement(count: 2), onRunners: onThisHost)
        } throws: { error in
            let error = error as? ServerError
            return error?.status == 503 && (error?.message.contains("local: 1 free of 3") ?? false)
        }
        #expect(events.events(after: nil, types: [.gpuAllocated]).count == 2)

        // The agent restarts: its runner's GPUs stay held. A job gets the third GPU, not one the instance holds.
        _ = try await fleet.register(local)
        let job = try await fleet.submit(spec("one", gpus: 1))
        let placed = try #require(try await fleet.requestJob(for: box.id, wait: 0))
        #expect(placed.id == job.id && placed.gpuIndices == [2])

        // Released, the GPUs go to the next job.
        let pair = try await fleet.submit(spec("pair", gpus: 2))
        #expect(try await fleet.requestJob(for: box.id, wait: 0) == nil)
        await fleet.releaseGPUs(heldBy: "b")
        let next = try #require(try await fleet.requestJob(for: box.id, wait: 0))
        #expect(next.id == pair.id && next.gpuIndices == [0, 1])
        #expect(Array(await fleet.instanceGPUHolds.keys) == ["a"])
    }
}

@Suite("Fleet: re-registration")
struct FleetRegistrationTests {
    let directory = TemporaryDirectory()

    @Test("an agent restarted on the same host takes its runner over; another host's live name is a 409")
    func takeover() async throws {
        let fleet = Fleet(store: try DurableStore(directory: directory.path), events: EventBus())
        var registration = RunnerRegistration(name: "box", type: .native)
        registration.host = "10.0.0.5"
        let first = try await fleet.register(registration)
        let job = try await fleet.submit(JobSpec(name: "j", steps: [JobStep(name: "s", run: "true")], retryCount: 1))
        _ = try await fleet.requestJob(for: first.id, wait: 0)
        _ = try await fleet.updateJob(job.id, from: first.id, JobUpdate(status: .running))
        let again = try await fleet.register(registration)
        #expect(again.id == first.id)
        let requeued = try await fleet.job(job.id)
        #expect(requeued.status == .queued && requeued.attempt == 2)
        registration.host = "10.0.0.6"
        await #expect {
            _ = try await fleet.register(registration)
        } throws: { error in (error as? ServerError)?.status == 409 }
    }
}
