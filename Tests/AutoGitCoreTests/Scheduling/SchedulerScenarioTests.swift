import AutoGitCore
import Foundation
import Testing

@Suite("scheduler scenarios")
struct SchedulerScenarioTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func job(
        _ id: String, gpus: Int = 0, type: String? = nil, memory: Double? = nil, labels: [String] = [],
        architecture: Architecture? = nil, priority: Int = 0, at second: Double = 0, pinned: String? = nil
    ) -> QueuedJob {
        QueuedJob(
            id: id,
            requirements: JobRequirements(
                labels: labels, architecture: architecture,
                gpu: gpus > 0 ? GPURequirement(count: gpus, type: type, minMemoryGB: memory) : nil, runnerID: pinned),
            priority: priority, submittedAt: start.addingTimeInterval(second))
    }

    static func gpus(_ count: Int, model: String = "NVIDIA A100-SXM4-80GB", memoryMB: Int = 81920, busy: Set<Int> = []) -> [GPU] {
        (0..<count).map { GPU(index: $0, model: model, memoryTotalMB: memoryMB, allocatedJobID: busy.contains($0) ? "running" : nil) }
    }

    static func runner(
        _ id: String, slots: Int = 8, labels: [String] = [], architecture: Architecture? = .amd64, gpus: [GPU] = []
    ) -> RunnerCapacity {
        RunnerCapacity(id: id, labels: labels, architecture: architecture, freeSlots: slots, gpus: gpus)
    }

    @Test("a job goes only to a runner with every required label, ignoring case")
    func labels() {
        let plan = Scheduler().place(
            [Self.job("j", labels: ["CUDA", "linux"])],
            on: [Self.runner("a", labels: ["cuda"]), Self.runner("b", labels: ["linux", "Cuda", "big"])])
        #expect(plan.assignments == [JobAssignment(jobID: "j", runnerID: "b", gpuIndices: [])])
    }

    @Test("a job naming an architecture never lands on another or an unknown one")
    func architecture() {
        let plan = Scheduler().place(
            [Self.job("j", architecture: .arm64)],
            on: [Self.runner("a"), Self.runner("b", architecture: nil), Self.runner("c", architecture: .arm64)])
        #expect(plan.assignments.map(\.runnerID) == ["c"])
    }

    @Test("the GPU type is a case-insensitive family match: a100 takes an A100-SXM4-80GB, h100 does not")
    func gpuType() {
        let runners = [
            Self.runner("a100", gpus: Self.gpus(2)),
            Self.runner("h100", gpus: Self.gpus(2, model: "NVIDIA H100 80GB HBM3")),
        ]
        let plan = Scheduler().place([Self.job("x", gpus: 1, type: "A100"), Self.job("y", gpus: 2, type: "h100", at: 1)], on: runners)
        #expect(
            plan.assignments == [
                JobAssignment(jobID: "x", runnerID: "a100", gpuIndices: [0]),
                JobAssignment(jobID: "y", runnerID: "h100", gpuIndices: [0, 1]),
            ])
    }

    @Test("a minimum memory skips smaller GPUs, even free ones on the same runner")
    func minimumMemory() {
        let mixed = [
            GPU(index: 0, model: "NVIDIA A100-SXM4-40GB", memoryTotalMB: 40960),
            GPU(index: 1, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81920),
        ]
        let plan = Scheduler().place([Self.job("big", gpus: 1, memory: 60)], on: [Self.runner("r", gpus: mixed)])
        #expect(plan.assignments == [JobAssignment(jobID: "big", runnerID: "r", gpuIndices: [1])])
        let none = Scheduler().place([Self.job("huge", gpus: 1, memory: 100)], on: [Self.runner("r", gpus: mixed)])
        #expect(none.unplaced == [UnplacedJob(jobID: "huge", reason: .noMatchingRunner)])
    }

    @Test("GPUs that are busy, held by an instance or unhealthy are never given out")
    func busyGPUs() {
        var gpus = Self.gpus(4, busy: [0])
        gpus[1].allocatedInstance = "llama"
        gpus[2].health = .unhealthy
        let plan = Scheduler().place([Self.job("one", gpus: 1), Self.job("two", gpus: 1, at: 1)], on: [Self.runner("r", gpus: gpus)])
        #expect(plan.assignments == [JobAssignment(jobID: "one", runnerID: "r", gpuIndices: [3])])
        #expect(plan.unplaced.map(\.jobID) == ["two"])
    }

    @Test("per-runner concurrency caps the jobs placed on it, GPUs or not")
    func concurrency() {
        let jobs = (0..<5).map { Self.job("j\($0)", at: Double($0)) }
        let plan = Scheduler().place(jobs, on: [Self.runner("a", slots: 2), Self.runner("b", slots: 1)])
        #expect(plan.assignments.count == 3)
        #expect(plan.assignments.filter { $0.runnerID == "a" }.count == 2)
        #expect(plan.unplaced.map(\.jobID) == ["j3", "j4"])
    }

    @Test("higher priority goes first, then earlier submission")
    func queueOrder() {
        let jobs = [
            Self.job("late-low", at: 5), Self.job("early-low", at: 1), Self.job("urgent", priority: 10, at: 9),
            Self.job("early-low-twin", at: 1),
        ]
        let plan = Scheduler().place(jobs, on: [Self.runner("r", slots: 2)])
        #expect(plan.assignments.map(\.jobID) == ["urgent", "early-low"])
        #expect(plan.unplaced.map(\.jobID) == ["early-low-twin", "late-low"])
    }

    @Test("best fit: a one-GPU job fills a partly used runner and leaves the whole one for an eight-GPU job")
    func bestFitAcrossRunners() {
        let runners = [
            Self.runner("empty", gpus: Self.gpus(8)),
            Self.runner("partly", gpus: Self.gpus(8, busy: [0, 1, 2, 3, 4])),
        ]
        let plan = Scheduler().place([Self.job("small", gpus: 1), Self.job("large", gpus: 8, at: 1)], on: runners)
        #expect(
            plan.assignments == [
                JobAssignment(jobID: "small", runnerID: "partly", gpuIndices: [5]),
                JobAssignment(jobID: "large", runnerID: "empty", gpuIndices: Array(0..<8)),
            ])
    }

    @Test("on a runner, the job gets the smallest GPUs that qualify, so big ones stay free")
    func bestFitWithinRunner() {
        let gpus = [
            GPU(index: 0, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81920),
            GPU(index: 1, model: "NVIDIA A100-SXM4-40GB", memoryTotalMB: 40960),
            GPU(index: 2, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81920),
        ]
        let plan = Scheduler().place(
            [Self.job("any", gpus: 1, type: "a100"), Self.job("big", gpus: 2, memory: 70, at: 1)], on: [Self.runner("r", gpus: gpus)])
        #expect(plan.assignments.map(\.gpuIndices) == [[1], [0, 2]])
    }

    @Test("a job without GPUs prefers a CPU-only runner over a GPU runner")
    func cpuJobsAvoidGPURunners() {
        let plan = Scheduler().place([Self.job("cpu")], on: [Self.runner("gpu", gpus: Self.gpus(4)), Self.runner("zz-cpu")])
        #expect(plan.assignments.map(\.runnerID) == ["zz-cpu"])
    }

    @Test("an untyped GPU job prefers the runner with smaller GPUs")
    func untypedPrefersSmallerGPUs() {
        let runners = [
            Self.runner("a-h100", gpus: Self.gpus(1, model: "NVIDIA H100 80GB HBM3")),
            Self.runner("b-4090", gpus: Self.gpus(1, model: "NVIDIA GeForce RTX 4090", memoryMB: 24564)),
        ]
        let plan = Scheduler().place([Self.job("any", gpus: 1), Self.job("h100", gpus: 1, type: "h100", at: 1)], on: runners)
        #expect(plan.assignments.map(\.runnerID) == ["b-4090", "a-h100"])
    }

    @Test("a pinned job goes to its runner or waits, even when another runner is free")
    func pinned() {
        let runners = [Self.runner("a"), Self.runner("b", slots: 0)]
        let plan = Scheduler().place([Self.job("p", pinned: "b"), Self.job("q", at: 1, pinned: "gone")], on: runners)
        #expect(plan.assignments.isEmpty)
        #expect(
            plan.unplaced == [UnplacedJob(jobID: "p", reason: .waitingForCapacity), UnplacedJob(jobID: "q", reason: .noMatchingRunner)])
    }

    @Test("runners that do not accept jobs are ignored")
    func drainingRunners() {
        var draining = Self.runner("draining")
        draining.acceptsJobs = false
        let plan = Scheduler().place([Self.job("j")], on: [draining])
        #expect(plan.unplaced == [UnplacedJob(jobID: "j", reason: .noMatchingRunner)])
    }

    @Test("a capacity is built from a runner: concurrency minus running jobs, and its status")
    func capacityFromRunner() {
        let runner = Runner(id: "r", name: "r", status: .busy, labels: ["x"], gpus: Self.gpus(2), maxConcurrentJobs: 3)
        #expect(RunnerCapacity(runner: runner, runningJobs: 1).freeSlots == 2)
        #expect(RunnerCapacity(runner: runner, runningJobs: 5).freeSlots == 0)
        var stopped = runner
        stopped.status = .draining
        #expect(!RunnerCapacity(runner: stopped, runningJobs: 0).acceptsJobs)
    }

    @Test("a blocked large job reserves the runner closest to fitting; smaller jobs behind it backfill elsewhere")
    func reservation() {
        let runners = [
            Self.runner("a", gpus: Self.gpus(8, busy: [0, 1])),
            Self.runner("b", gpus: Self.gpus(8, busy: [0, 1, 2, 3])),
        ]
        let jobs = [Self.job("large", gpus: 8)] + (1...10).map { Self.job("small\($0)", gpus: 1, at: Double($0)) }
        let plan = Scheduler().place(jobs, on: runners)
        #expect(plan.reservations == [CapacityReservation(jobID: "large", runnerID: "a", gpuIndices: [2, 3, 4, 5, 6, 7])])
        #expect(plan.assignments.allSatisfy { $0.runnerID == "b" })
        #expect(plan.assignments.count == 4)
        #expect(plan.unplaced.first == UnplacedJob(jobID: "large", reason: .waitingForCapacity))
    }

    @Test("a reservation holds only GPUs the blocked job could use; others on that runner still backfill")
    func reservationKeepsOtherGPUsUsable() {
        let gpus = Self.gpus(2, busy: [0]) + [GPU(index: 2, model: "NVIDIA GeForce RTX 4090", memoryTotalMB: 24564)]
        let plan = Scheduler().place(
            [
                Self.job("two-a100", gpus: 2, type: "a100"), Self.job("a100", gpus: 1, type: "a100", at: 1),
                Self.job("rtx", gpus: 1, type: "4090", at: 2),
            ],
            on: [Self.runner("r", gpus: gpus)])
        #expect(plan.reservations == [CapacityReservation(jobID: "two-a100", runnerID: "r", gpuIndices: [1])])
        #expect(plan.assignments == [JobAssignment(jobID: "rtx", runnerID: "r", gpuIndices: [2])])
    }

    @Test("a GPU an instance holds is not reserved: a job too large without it waits without blocking smaller ones")
    func instanceHeldGPUsAreWithdrawn() {
        var gpus = Self.gpus(2)
        gpus[0].allocatedInstance = "llm"
        let plan = Scheduler().place([Self.job("both", gpus: 2), Self.job("one", gpus: 1, at: 1)], on: [Self.runner("r", gpus: gpus)])
        #expect(plan.reservations.isEmpty)
        #expect(plan.assignments == [JobAssignment(jobID: "one", runnerID: "r", gpuIndices: [1])])
        #expect(plan.unplaced == [UnplacedJob(jobID: "both", reason: .waitingForCapacity)])
    }

    @Test("reservations are capped per pass, and zero turns them off")
    func reservationCap() {
        let runners = (0..<4).map { Self.runner("r\($0)", gpus: Self.gpus(4, busy: [0])) }
        let jobs = (0..<4).map { Self.job("big\($0)", gpus: 4, type: "gpu\($0)", at: Double($0)) }
        // Each job asks for a different (unknown) type, so none matches: no reservation at all.
        #expect(Scheduler().place(jobs, on: runners).reservations.isEmpty)
        let blocked = (0..<4).map { Self.job("big\($0)", gpus: 4, memory: Double($0), at: Double($0)) }
        #expect(Scheduler(configuration: .init(maxReservations: 2)).place(blocked, on: runners).reservations.count == 2)
        #expect(Scheduler(configuration: .init(maxReservations: 0)).place(blocked, on: runners).reservations.isEmpty)
    }
}
