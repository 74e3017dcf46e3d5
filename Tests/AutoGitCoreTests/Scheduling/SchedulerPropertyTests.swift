import AutoGitCore
import Foundation
import Testing

/// Properties of the scheduler over seeded random fleets and queues, checked against the models' own matching
/// rules (``JobRequirements/isSatisfied(by:)``, ``GPURequirement/accepts(_:)``).
@Suite("scheduler properties")
struct SchedulerPropertyTests {
    static let seeds: [UInt64] = Array(1...60)

    @Test("never over-allocates a GPU or a slot, and never places a job on a runner that does not match it", arguments: seeds)
    func safety(seed: UInt64) throws {
        var random = SchedulingRandom(seed: seed)
        let (jobs, runners) = RandomFleet.generate(using: &random)
        let plan = Scheduler().place(jobs, on: runners)
        let jobsByID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        let runnersByID = Dictionary(uniqueKeysWithValues: runners.map { ($0.id, $0) })

        // Every job is accounted for exactly once.
        let placed = plan.assignments.map(\.jobID) + plan.unplaced.map(\.jobID)
        #expect(placed.sorted() == jobs.map(\.id).sorted())

        var usedGPUs = Set<String>()
        var jobsPerRunner: [String: Int] = [:]
        for assignment in plan.assignments {
            let job = try #require(jobsByID[assignment.jobID])
            let runner = try #require(runnersByID[assignment.runnerID])
            #expect(runner.acceptsJobs)
            #expect(job.requirements.isSatisfied(by: RandomFleet.runner(runner)), "\(job) on \(runner)")
            #expect(assignment.gpuIndices.count == job.requirements.gpuCount)
            for index in assignment.gpuIndices {
                let gpu = try #require(runner.gpus.first { $0.index == index })
                #expect(gpu.isAvailable, "GPU \(index) of \(runner.id) was not free")
                if let requirement = job.requirements.gpu { #expect(requirement.accepts(gpu)) }
                #expect(usedGPUs.insert("\(runner.id)#\(index)").inserted, "GPU \(index) of \(runner.id) given twice")
            }
            jobsPerRunner[runner.id, default: 0] += 1
        }
        for (id, count) in jobsPerRunner {
            #expect(count <= max(0, runnersByID[id]!.freeSlots), "runner \(id) got \(count) jobs")
        }
        for reservation in plan.reservations {
            let runner = try #require(runnersByID[reservation.runnerID])
            for index in reservation.gpuIndices {
                #expect(runner.gpus.first { $0.index == index }?.isAvailable == true)
                #expect(usedGPUs.insert("\(runner.id)#\(index)").inserted, "reserved GPU \(index) of \(runner.id) also given out")
            }
        }
        // "No matching runner" means exactly that no accepting runner could ever run the job.
        for unplaced in plan.unplaced {
            let job = try #require(jobsByID[unplaced.jobID])
            let matches = runners.contains { $0.acceptsJobs && job.requirements.isSatisfied(by: RandomFleet.runner($0)) }
            #expect(matches == (unplaced.reason == .waitingForCapacity), "\(job)")
        }
    }

    @Test("the same input gives the same plan, in whatever order jobs and runners come", arguments: seeds)
    func determinism(seed: UInt64) {
        var random = SchedulingRandom(seed: seed)
        let (jobs, runners) = RandomFleet.generate(using: &random)
        let plan = Scheduler().place(jobs, on: runners)
        #expect(Scheduler().place(jobs, on: runners) == plan)
        #expect(Scheduler().place(jobs.shuffled(using: &random), on: runners.shuffled(using: &random)) == plan)
    }

    @Test("without reservations nothing left waiting would fit in what is left (the pass is work-conserving)", arguments: seeds)
    func workConserving(seed: UInt64) {
        var random = SchedulingRandom(seed: seed)
        let (jobs, runners) = RandomFleet.generate(using: &random)
        let plan = Scheduler(configuration: .init(maxReservations: 0)).place(jobs, on: runners)
        var left = Dictionary(uniqueKeysWithValues: runners.map { ($0.id, $0) })
        for assignment in plan.assignments {
            left[assignment.runnerID]!.freeSlots -= 1
            for index in assignment.gpuIndices {
                let position = left[assignment.runnerID]!.gpus.firstIndex { $0.index == index }!
                left[assignment.runnerID]!.gpus[position].allocatedJobID = assignment.jobID
            }
        }
        let waiting = Set(plan.unplaced.filter { $0.reason == .waitingForCapacity }.map(\.jobID))
        for job in jobs where waiting.contains(job.id) {
            let fits = left.values.contains { runner in
                runner.acceptsJobs && runner.freeSlots > 0 && job.requirements.gpuAllocation(on: RandomFleet.runner(runner)) != nil
            }
            #expect(!fits, "\(job.id) was left waiting though it fits")
        }
    }

    @Test("a large job is not starved by a stream of small ones: its reservation lets it start")
    func noStarvation() {
        let ticks = StarvationSimulation.ticksUntilLargeJobStarts(maxReservations: 16)
        // The reserved runner's running jobs last at most 4 ticks, so it starts within a few.
        #expect(ticks != nil && ticks! <= 8)
        // The control: with reservations off, the same stream starves it for the whole simulation.
        #expect(StarvationSimulation.ticksUntilLargeJobStarts(maxReservations: 0) == nil)
    }
}

/// Two runners of four GPUs, a four-GPU job queued behind a full fleet, and one-GPU jobs of staggered lengths
/// arriving faster than GPUs free up.
private enum StarvationSimulation {
    static func ticksUntilLargeJobStarts(maxReservations: Int) -> Int? {
        let scheduler = Scheduler(configuration: .init(maxReservations: maxReservations))
        let start = Date(timeIntervalSince1970: 0)
        var runners = ["a", "b"].map { id in
            RunnerCapacity(
                id: id, freeSlots: 8, gpus: (0..<4).map { GPU(index: $0, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81920) })
        }
        var queue: [QueuedJob] = []
        var running: [String: (runner: String, gpus: [Int], endsAt: Int)] = [:]
        var submitted = 0
        func submitSmall(at tick: Int) {
            submitted += 1
            queue.append(
                QueuedJob(
                    id: "small-\(submitted)", requirements: JobRequirements(gpu: GPURequirement(count: 1)),
                    submittedAt: start.addingTimeInterval(Double(tick) + Double(submitted) / 1000)))
        }
        for _ in 0..<8 { submitSmall(at: 0) }
        queue.append(
            QueuedJob(id: "large", requirements: JobRequirements(gpu: GPURequirement(count: 4)), submittedAt: start.addingTimeInterval(0.5))
        )
        for tick in 0..<200 {
            for (id, job) in running where job.endsAt <= tick {
                running[id] = nil
                let position = runners.firstIndex { $0.id == job.runner }!
                runners[position].freeSlots += 1
                for index in job.gpus { runners[position].gpus[index].allocatedJobID = nil }
            }
            for _ in 0..<3 { submitSmall(at: tick) }
            let plan = scheduler.place(queue, on: runners)
            for assignment in plan.assignments {
                if assignment.jobID == "large" { return tick }
                let position = runners.firstIndex { $0.id == assignment.runnerID }!
                runners[position].freeSlots -= 1
                for index in assignment.gpuIndices { runners[position].gpus[index].allocatedJobID = assignment.jobID }
                let number = Int(assignment.jobID.dropFirst("small-".count)) ?? 0
                running[assignment.jobID] = (assignment.runnerID, assignment.gpuIndices, tick + 2 + number % 3)
            }
            let placed = Set(plan.assignments.map(\.jobID))
            queue.removeAll { placed.contains($0.id) }
        }
        return nil
    }
}

/// Random fleets and queues from a seed.
private enum RandomFleet {
    static let models: [(vendor: GPUVendor, model: String, memoryMB: Int)] = [
        (.nvidia, "NVIDIA A100-SXM4-80GB", 81920), (.nvidia, "NVIDIA A100-SXM4-40GB", 40960),
        (.nvidia, "NVIDIA H100 80GB HBM3", 81559), (.nvidia, "NVIDIA GeForce RTX 4090", 24564),
        (.amd, "AMD Instinct MI250X", 65536),
    ]
    static let labels = ["cuda", "linux", "big", "Fast"]
    static let types: [String?] = [nil, nil, "a100", "H100", "4090", "nvidia", "amd", "mi250x", "v100"]

    static func generate(using random: inout SchedulingRandom) -> ([QueuedJob], [RunnerCapacity]) {
        let runnerCount = Int.random(in: 1...30, using: &random)
        var runners: [RunnerCapacity] = []
        for number in 0..<runnerCount {
            let modelChoice = models.randomElement(using: &random)!
            let gpuCount = [0, 0, 1, 2, 4, 8].randomElement(using: &random)!
            var gpus: [GPU] = []
            for index in 0..<gpuCount {
                let model = Int.random(in: 0..<5, using: &random) == 0 ? models.randomElement(using: &random)! : modelChoice
                var gpu = GPU(index: index, vendor: model.vendor, model: model.model, memoryTotalMB: model.memoryMB)
                switch Int.random(in: 0..<10, using: &random) {
                case 0, 1, 2: gpu.allocatedJobID = "running-\(number)-\(index)"
                case 3: gpu.allocatedInstance = "instance"
                case 4: gpu.health = .unhealthy
                default: break
                }
                gpus.append(gpu)
            }
            runners.append(
                RunnerCapacity(
                    id: "runner-\(number)", labels: labels.filter { _ in Bool.random(using: &random) },
                    architecture: [Architecture.amd64, .amd64, .arm64, nil].randomElement(using: &random)!,
                    freeSlots: Int.random(in: -1...4, using: &random), gpus: gpus,
                    acceptsJobs: Int.random(in: 0..<10, using: &random) != 0))
        }
        let jobCount = Int.random(in: 0...80, using: &random)
        var jobs: [QueuedJob] = []
        for number in 0..<jobCount {
            var wanted = labels.filter { _ in Int.random(in: 0..<4, using: &random) == 0 }.map {
                Bool.random(using: &random) ? $0.uppercased() : $0
            }
            if Int.random(in: 0..<20, using: &random) == 0 { wanted.append("nowhere") }
            let count = [0, 0, 1, 1, 1, 2, 2, 4, 8].randomElement(using: &random)!
            let gpu =
                count > 0
                ? GPURequirement(
                    count: count, type: types.randomElement(using: &random)!,
                    minMemoryGB: [nil, nil, 24, 40, 80].randomElement(using: &random)!)
                : nil
            let pinned = Int.random(in: 0..<15, using: &random) == 0 ? "runner-\(Int.random(in: 0...runnerCount, using: &random))" : nil
            jobs.append(
                QueuedJob(
                    id: "job-\(number)",
                    requirements: JobRequirements(
                        labels: wanted, architecture: [nil, nil, Architecture.amd64, .arm64].randomElement(using: &random)!, gpu: gpu,
                        runnerID: pinned),
                    priority: Int.random(in: 0...3, using: &random),
                    submittedAt: Date(timeIntervalSince1970: Double(Int.random(in: 0...40, using: &random)))))
        }
        return (jobs, runners)
    }

    /// The runner a capacity describes, for the models' own matching rules.
    static func runner(_ capacity: RunnerCapacity) -> Runner {
        Runner(id: capacity.id, name: capacity.id, architecture: capacity.architecture, labels: capacity.labels, gpus: capacity.gpus)
    }
}

/// A seedable generator (SplitMix64), so a failing case can be replayed from its seed.
private struct SchedulingRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE5_E9B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
