import AutoGitCore
import Foundation

/// `autogit-bench scheduler [--jobs N] [--runners N] [--rounds N] [--seed N] [--mix all|large]`: one scheduling pass
/// of a large queue onto a large fleet with a GPU mix.
///
/// The `all` mix (the default) is 30 % CPU jobs and GPU jobs of 1, 2, 4 and 8 GPUs; `large` has only 2-, 4- and
/// 8-GPU jobs, so holes of one GPU cannot be filled and packing shows.
///
/// Reports placements per second (assignments divided by the time of `Scheduler.place`, median of the rounds) and
/// GPU utilisation: the GPUs the pass allocated against an upper bound on what any placement could allocate. The
/// bound is a max flow from job classes (GPU demand) to groups of runners (free GPUs), where a class may use a
/// runner only if the runner matches it and has at least its GPU count free, and at most
/// `count × min(free / count, slots)` GPUs of it, and a runner gives at most the largest sum of such job sizes that
/// fits its free GPUs and slots. It ignores how classes share a runner, so no placement can beat it.
func schedulerBenchmark(_ arguments: [String]) async -> Int32 {
    var jobCount = 100_000
    var runnerCount = 10_000
    var rounds = 5
    var seed: UInt64 = 7
    var isLargeOnly = false
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? arguments[index + 1] : ""
        switch arguments[index] {
        case "--jobs": jobCount = Int(value) ?? jobCount
        case "--runners": runnerCount = Int(value) ?? runnerCount
        case "--rounds": rounds = max(1, Int(value) ?? rounds)
        case "--seed": seed = UInt64(value) ?? seed
        case "--mix": isLargeOnly = value == "large"
        default:
            print(
                "unknown option \(arguments[index]); usage: autogit-bench scheduler [--jobs N] [--runners N] [--rounds N] [--seed N] [--mix all|large]"
            )
            return 2
        }
        index += 2
    }
    var random = BenchmarkRandom(seed: seed)
    let runners = BenchmarkFleet.runners(runnerCount, using: &random)
    let jobs = BenchmarkFleet.jobs(jobCount, isLargeOnly: isLargeOnly, using: &random)
    let freeGPUs = runners.reduce(0) { $0 + $1.gpus.filter(\.isAvailable).count }
    let totalGPUs = runners.reduce(0) { $0 + $1.gpus.count }
    let demand = jobs.reduce(0) { $0 + $1.requirements.gpuCount }
    print(
        "scheduler: \(jobCount) queued jobs (GPU demand \(demand)) onto \(runnerCount) runners "
            + "(\(totalGPUs) GPUs, \(freeGPUs) free, \(runners.reduce(0) { $0 + $1.freeSlots }) free slots), "
            + "\(isLargeOnly ? "large" : "all") mix, seed \(seed)")

    for (label, configuration) in [("reservations on ", Scheduler.Configuration()), ("reservations off", .init(maxReservations: 0))] {
        let scheduler = Scheduler(configuration: configuration)
        var timings: [Double] = []
        var plan = SchedulingPlan()
        for _ in 0..<rounds {
            let started = ContinuousClock.now
            plan = scheduler.place(jobs, on: runners)
            let elapsed = started.duration(to: .now)
            timings.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        timings.sort()
        let median = timings[timings.count / 2]
        let allocated = plan.assignments.reduce(0) { $0 + $1.gpuIndices.count }
        let bound = BenchmarkFleet.allocationBound(jobs: jobs, runners: runners)
        print(
            label
                + String(
                    format: ": %6d placements in %7.1f ms (median of %d) = %9.0f placements/s; GPUs allocated %d of %d free "
                        + "(%.2f%%), bound %d: %.2f%% of the bound; %d reservations",
                    plan.assignments.count, median * 1000, rounds, Double(plan.assignments.count) / median, allocated,
                    freeGPUs, 100 * Double(allocated) / Double(max(1, freeGPUs)), bound,
                    100 * Double(allocated) / Double(max(1, bound)), plan.reservations.count))
    }
    return 0
}

/// The benchmark's fleet and queue: a realistic GPU mix, half the GPU runners partly busy.
private enum BenchmarkFleet {
    struct Shape {
        var share: Double
        var model: String
        var memoryMB: Int
        var gpus: Int
        var slots: Int
        var labels: [String]
        var architecture: Architecture
    }

    static let shapes: [Shape] = [
        Shape(share: 0.15, model: "", memoryMB: 0, gpus: 0, slots: 16, labels: ["linux"], architecture: .amd64),
        Shape(share: 0.10, model: "", memoryMB: 0, gpus: 0, slots: 16, labels: ["linux"], architecture: .arm64),
        Shape(
            share: 0.30, model: "NVIDIA A100-SXM4-80GB", memoryMB: 81920, gpus: 8, slots: 12, labels: ["linux", "cuda"],
            architecture: .amd64),
        Shape(
            share: 0.10, model: "NVIDIA H100 80GB HBM3", memoryMB: 81559, gpus: 8, slots: 12, labels: ["linux", "cuda", "ib"],
            architecture: .amd64),
        Shape(share: 0.20, model: "NVIDIA L40S", memoryMB: 46068, gpus: 4, slots: 8, labels: ["linux", "cuda"], architecture: .amd64),
        Shape(
            share: 0.15, model: "NVIDIA GeForce RTX 4090", memoryMB: 24564, gpus: 2, slots: 4, labels: ["linux", "cuda"],
            architecture: .amd64),
    ]

    static func runners(_ count: Int, using random: inout BenchmarkRandom) -> [RunnerCapacity] {
        var runners: [RunnerCapacity] = []
        runners.reserveCapacity(count)
        var shapeIndex = 0
        var quota = 0.0
        for number in 0..<count {
            while shapeIndex < shapes.count - 1 && Double(number) >= (quota + shapes[shapeIndex].share) * Double(count) {
                quota += shapes[shapeIndex].share
                shapeIndex += 1
            }
            let shape = shapes[shapeIndex]
            let busy = shape.gpus > 0 && Bool.random(using: &random) ? Int.random(in: 1..<shape.gpus + 1, using: &random) : 0
            let gpus = (0..<shape.gpus).map { index in
                GPU(
                    index: index, model: shape.model, memoryTotalMB: shape.memoryMB, allocatedJobID: index < busy ? "running" : nil)
            }
            let running = busy > 0 ? Int.random(in: 1...busy, using: &random) : 0
            runners.append(
                RunnerCapacity(
                    id: String(format: "runner-%05d", number), labels: shape.labels, architecture: shape.architecture,
                    freeSlots: shape.slots - running, gpus: gpus))
        }
        return runners
    }

    static func jobs(_ count: Int, isLargeOnly: Bool, using random: inout BenchmarkRandom) -> [QueuedJob] {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var jobs: [QueuedJob] = []
        jobs.reserveCapacity(count)
        for number in 0..<count {
            let roll = isLargeOnly ? Double.random(in: 0.65..<1, using: &random) : Double.random(in: 0..<1, using: &random)
            var requirements = JobRequirements(labels: ["linux"])
            switch roll {
            case ..<0.30:
                requirements.architecture = Int.random(in: 0..<3, using: &random) == 0 ? .arm64 : nil
            case ..<0.65:
                requirements.labels.append("cuda")
                requirements.gpu = GPURequirement(
                    count: 1, type: [nil, nil, "a100", "l40s", "4090", "h100"].randomElement(using: &random)!,
                    minMemoryGB: Int.random(in: 0..<4, using: &random) == 0 ? 40 : nil)
            case ..<0.80:
                requirements.labels.append("cuda")
                requirements.gpu = GPURequirement(count: 2, type: [nil, "a100", "l40s", "h100"].randomElement(using: &random)!)
            case ..<0.92:
                requirements.labels.append("cuda")
                requirements.gpu = GPURequirement(
                    count: 4, type: [nil, "a100", "h100"].randomElement(using: &random)!,
                    minMemoryGB: Bool.random(using: &random) ? 40 : nil)
            default:
                let h100 = Int.random(in: 0..<3, using: &random) == 0
                requirements.labels += h100 ? ["cuda", "ib"] : ["cuda"]
                requirements.gpu = GPURequirement(count: 8, type: h100 ? "h100" : "a100", minMemoryGB: 80)
            }
            jobs.append(
                QueuedJob(
                    id: String(format: "job-%06d", number), requirements: requirements, priority: Int.random(in: 0..<4, using: &random),
                    submittedAt: start.addingTimeInterval(Double(Int.random(in: 0..<86_400, using: &random)))))
        }
        return jobs
    }

    /// The most GPUs any placement of `jobs` on `runners` could allocate (see ``schedulerBenchmark(_:)``).
    static func allocationBound(jobs: [QueuedJob], runners: [RunnerCapacity]) -> Int {
        // Job classes and their demand in GPUs.
        var demand: [JobRequirements: Int] = [:]
        for job in jobs where job.requirements.gpuCount > 0 { demand[job.requirements, default: 0] += job.requirements.gpuCount }
        let classes = demand.keys.sorted { "\($0)" < "\($1)" }
        // Runner groups: same labels, architecture, GPU model, free GPUs and slots.
        struct GroupKey: Hashable {
            var labels: [String]
            var architecture: Architecture?
            var model: String
            var free: Int
            var slots: Int
        }
        var groups: [GroupKey: (sample: RunnerCapacity, members: Int)] = [:]
        for runner in runners where runner.freeSlots > 0 {
            let free = runner.gpus.filter(\.isAvailable).count
            guard free > 0 else { continue }
            let key = GroupKey(
                labels: runner.labels, architecture: runner.architecture, model: runner.gpus.first?.model ?? "", free: free,
                slots: runner.freeSlots)
            groups[key, default: (runner, 0)].members += 1
        }
        let groupKeys = Array(groups.keys)
        // Nodes: 0 source, 1 sink, then classes, then groups.
        var network = FlowNetwork(nodes: 2 + classes.count + groupKeys.count)
        var sizesByGroup = Array(repeating: Set<Int>(), count: groupKeys.count)
        for (number, requirements) in classes.enumerated() {
            network.addEdge(from: 0, to: 2 + number, capacity: demand[requirements]!)
            let count = requirements.gpuCount
            for (groupNumber, key) in groupKeys.enumerated() {
                let group = groups[key]!
                let runner = Runner(
                    id: group.sample.id, name: group.sample.id, architecture: group.sample.architecture, labels: group.sample.labels,
                    gpus: group.sample.gpus)
                guard let allocation = requirements.gpuAllocation(on: runner), allocation.count == count else { continue }
                let usable = group.sample.gpus.filter { $0.isAvailable && requirements.gpu!.accepts($0) }.count
                let perRunner = count * min(usable / count, key.slots)
                network.addEdge(from: 2 + number, to: 2 + classes.count + groupNumber, capacity: perRunner * group.members)
                sizesByGroup[groupNumber].insert(count)
            }
        }
        // A runner can use at most the largest sum of job sizes that fit it within its free GPUs and slots.
        for (groupNumber, key) in groupKeys.enumerated() {
            var fewestJobs = Array(repeating: Int.max, count: key.free + 1)
            fewestJobs[0] = 0
            for total in 1...max(1, key.free) where total <= key.free {
                for size in sizesByGroup[groupNumber] where size <= total && fewestJobs[total - size] != .max {
                    fewestJobs[total] = min(fewestJobs[total], fewestJobs[total - size] + 1)
                }
            }
            let usable = (0...key.free).last { fewestJobs[$0] <= key.slots } ?? 0
            network.addEdge(from: 2 + classes.count + groupNumber, to: 1, capacity: usable * groups[key]!.members)
        }
        return network.maximumFlow(from: 0, to: 1)
    }
}

/// A small max-flow network (Edmonds–Karp), enough for a few hundred nodes.
private struct FlowNetwork {
    private var capacity: [[Int]]
    private var neighbours: [[Int]]

    init(nodes: Int) {
        capacity = Array(repeating: Array(repeating: 0, count: nodes), count: nodes)
        neighbours = Array(repeating: [], count: nodes)
    }

    mutating func addEdge(from source: Int, to target: Int, capacity amount: Int) {
        guard amount > 0 else { return }
        if capacity[source][target] == 0 && capacity[target][source] == 0 {
            neighbours[source].append(target)
            neighbours[target].append(source)
        }
        capacity[source][target] += amount
    }

    mutating func maximumFlow(from source: Int, to sink: Int) -> Int {
        var total = 0
        while true {
            var parent = Array(repeating: -1, count: capacity.count)
            parent[source] = source
            var queue = [source]
            var head = 0
            while head < queue.count && parent[sink] == -1 {
                let node = queue[head]
                head += 1
                for next in neighbours[node] where parent[next] == -1 && capacity[node][next] > 0 {
                    parent[next] = node
                    queue.append(next)
                }
            }
            guard parent[sink] != -1 else { return total }
            var bottleneck = Int.max
            var node = sink
            while node != source {
                bottleneck = min(bottleneck, capacity[parent[node]][node])
                node = parent[node]
            }
            node = sink
            while node != source {
                capacity[parent[node]][node] -= bottleneck
                capacity[node][parent[node]] += bottleneck
                node = parent[node]
            }
            total += bottleneck
        }
    }
}

/// SplitMix64: a seedable generator, so every run schedules the same fleet.
private struct BenchmarkRandom: RandomNumberGenerator {
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
