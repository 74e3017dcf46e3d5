/// The working state of one ``Scheduler`` pass.
///
/// Runners are numbered by rank (their tie-break order) and their healthy GPUs live in flat arrays, sorted per
/// runner by memory then index. Jobs with equal requirements form a class; each class keeps, per count of free GPUs
/// it could use, a heap of the matching runners with a free slot. A runner's entries carry its version: any change
/// to the runner bumps it and pushes fresh entries, and the old ones are dropped lazily when they surface.
struct SchedulingPass {
    /// The GPUs a class can use: a type and a minimum memory; both nil for jobs that need no GPU.
    private struct GPUFilter: Hashable {
        var type: String?
        var minMemoryGB: Double?
    }

    /// Jobs with the same requirements.
    private struct JobClass {
        var count: Int
        var filter: Int
        /// Matching runners (ranks), whatever their free capacity now.
        var eligible: [Int]
        /// Matching runners that could fit the class once their jobs end (GPUs held by instances left out): where a
        /// blocked job may reserve.
        var reservable: [Int]
        /// `buckets[k]`: matching runners with a free slot and exactly `k` free usable GPUs (`k >= count`).
        var buckets: [RunnerHeap]
        /// Set when a job of the class failed to fit: free capacity only shrinks, so the rest fail too.
        var isBlocked = false
    }

    private let maxReservations: Int

    // Runners, by rank.
    private var runnerIDs: [String] = []
    private var runnerLabels: [Set<Int>] = []
    private var runnerArchitectures: [Architecture?] = []
    private var freeSlots: [Int] = []
    private var versions: [UInt32] = []
    private var isReserved: [Bool] = []
    private var memberships: [[Int]] = []
    private var rankByID: [String: Int] = [:]

    // Healthy GPUs, flat: runner `r` owns `gpuStart[r]..<gpuStart[r + 1]`.
    private var gpuStart: [Int] = [0]
    private var gpuIndices: [Int] = []
    private var gpuModels: [Int] = []
    private var gpuMemoryMB: [Int] = []
    private var gpuIsFree: [Bool] = []
    /// Held by a model-serving instance: it still makes a runner match (the job waits for capacity, it is not
    /// unrunnable), but no job may reserve it, since an instance runs until someone stops it and a reservation
    /// waiting for one would block the runner's other GPUs indefinitely.
    private var gpuIsWithdrawn: [Bool] = []

    // Interned names.
    private var labelIDs: [String: Int] = [:]
    private var modelIDs: [String: Int] = [:]
    private var modelSamples: [GPU] = []
    private var filterIDs: [GPUFilter: Int] = [:]
    /// `filterAcceptsModel[filter * modelSamples.count + model]`: whether the filter's type names the model.
    private var filterAcceptsModel: [Bool] = []
    /// Each filter's minimum memory in GiB, or -infinity.
    private var filterMinimumGB: [Double] = []

    private var classIDs: [JobRequirements: Int] = [:]
    private var classes: [JobClass] = []
    private var plan = SchedulingPlan()

    init(runners: [RunnerCapacity], maxReservations: Int) {
        self.maxReservations = max(0, maxReservations)
        var seen = Set<String>()
        let accepted = runners.enumerated().filter { $0.element.acceptsJobs && seen.insert($0.element.id).inserted }
        let largestMemory = accepted.map { entry in
            entry.element.gpus.lazy.filter { $0.health == .healthy }.map(\.memoryTotalMB).max() ?? 0
        }
        let order = accepted.indices.sorted { left, right in
            if largestMemory[left] != largestMemory[right] { return largestMemory[left] < largestMemory[right] }
            return accepted[left].element.id < accepted[right].element.id
        }
        for position in order {
            add(accepted[position].element)
        }
    }

    private mutating func add(_ runner: RunnerCapacity) {
        let rank = runnerIDs.count
        runnerIDs.append(runner.id)
        rankByID[runner.id] = rank
        runnerLabels.append(Set(runner.labels.map { intern(label: $0) }))
        runnerArchitectures.append(runner.architecture)
        freeSlots.append(max(0, runner.freeSlots))
        versions.append(0)
        isReserved.append(false)
        memberships.append([])
        let healthy = runner.gpus.filter { $0.health == .healthy }.sorted {
            ($0.memoryTotalMB, $0.index) < ($1.memoryTotalMB, $1.index)
        }
        for gpu in healthy {
            gpuIndices.append(gpu.index)
            gpuModels.append(intern(model: gpu))
            gpuMemoryMB.append(gpu.memoryTotalMB)
            gpuIsFree.append(gpu.isAvailable)
            gpuIsWithdrawn.append(gpu.allocatedInstance != nil)
        }
        gpuStart.append(gpuIndices.count)
    }

    private mutating func intern(label: String) -> Int {
        let key = label.lowercased()
        if let id = labelIDs[key] { return id }
        let id = labelIDs.count
        labelIDs[key] = id
        return id
    }

    private mutating func intern(model gpu: GPU) -> Int {
        let key = gpu.vendor.rawValue + "\u{0}" + gpu.model
        if let id = modelIDs[key] { return id }
        let id = modelSamples.count
        modelIDs[key] = id
        modelSamples.append(GPU(index: 0, vendor: gpu.vendor, model: gpu.model, memoryTotalMB: 0))
        return id
    }

    // MARK: - The pass

    mutating func place(_ jobs: [QueuedJob]) -> SchedulingPlan {
        // Classify in input order (sequential reads), then sort small keys rather than the jobs; ids break the rare
        // ties.
        var keys: [(priority: Int, submittedAt: Double, position: Int, classID: Int)] = []
        keys.reserveCapacity(jobs.count)
        for position in jobs.indices {
            keys.append(
                (
                    -jobs[position].priority, jobs[position].submittedAt.timeIntervalSinceReferenceDate, position,
                    jobClass(for: jobs[position].requirements)
                ))
        }
        keys.sort { left, right in
            if left.priority != right.priority { return left.priority < right.priority }
            if left.submittedAt != right.submittedAt { return left.submittedAt < right.submittedAt }
            let leftID = jobs[left.position].id
            let rightID = jobs[right.position].id
            if leftID != rightID { return leftID < rightID }
            return left.position < right.position
        }
        plan.assignments.reserveCapacity(min(jobs.count, freeSlots.reduce(0, +)))
        plan.unplaced.reserveCapacity(jobs.count)
        for key in keys {
            place(jobs[key.position].id, classID: key.classID)
        }
        return plan
    }

    private mutating func place(_ jobID: String, classID: Int) {
        if classes[classID].eligible.isEmpty {
            plan.unplaced.append(UnplacedJob(jobID: jobID, reason: .noMatchingRunner))
            return
        }
        if !classes[classID].isBlocked, let rank = bestRunner(for: classID) {
            let indices = take(classes[classID].count, of: classes[classID].filter, on: rank)
            freeSlots[rank] -= 1
            changed(rank)
            plan.assignments.append(JobAssignment(jobID: jobID, runnerID: runnerIDs[rank], gpuIndices: indices))
            return
        }
        if !classes[classID].isBlocked {
            classes[classID].isBlocked = true
            reserve(for: jobID, classID: classID)
        }
        plan.unplaced.append(UnplacedJob(jobID: jobID, reason: .waitingForCapacity))
    }

    /// The runner with the fewest free usable GPUs that still hold the class's count, lowest rank among equals.
    private mutating func bestRunner(for classID: Int) -> Int? {
        let count = classes[classID].count
        let bucketCount = classes[classID].buckets.count
        guard count < bucketCount else { return nil }
        for bucket in count..<bucketCount {
            while let entry = classes[classID].buckets[bucket].min {
                let rank = RunnerHeap.rank(of: entry)
                if versions[rank] == RunnerHeap.version(of: entry) { return rank }
                classes[classID].buckets[bucket].removeMin()
            }
        }
        return nil
    }

    /// Marks up to `count` free GPUs of `rank` that `filter` accepts as taken, smallest memory first; returns their
    /// indices, ascending.
    private mutating func take(_ count: Int, of filter: Int, on rank: Int) -> [Int] {
        guard count > 0 else { return [] }
        var taken: [Int] = []
        taken.reserveCapacity(count)
        for slot in gpuStart[rank]..<gpuStart[rank + 1] where taken.count < count {
            if gpuIsFree[slot] && accepts(filter, slot) {
                gpuIsFree[slot] = false
                taken.append(gpuIndices[slot])
            }
        }
        return taken.sorted()
    }

    /// Holds capacity for a blocked job on the matching runner closest to fitting it.
    private mutating func reserve(for jobID: String, classID: Int) {
        guard plan.reservations.count < maxReservations else { return }
        let jobClass = classes[classID]
        var best: (rank: Int, usable: Int, hasSlot: Bool)?
        for rank in jobClass.reservable where !isReserved[rank] {
            let usable = min(freeCount(of: jobClass.filter, on: rank), jobClass.count)
            let hasSlot = freeSlots[rank] > 0
            if let current = best, (current.usable, current.hasSlot ? 1 : 0) >= (usable, hasSlot ? 1 : 0) { continue }
            best = (rank, usable, hasSlot)
        }
        // Holding nothing would only stop another class from reserving the runner.
        guard let best, best.usable > 0 else { return }
        isReserved[best.rank] = true
        let held = take(jobClass.count, of: jobClass.filter, on: best.rank)
        if best.hasSlot { freeSlots[best.rank] -= 1 }
        changed(best.rank)
        plan.reservations.append(CapacityReservation(jobID: jobID, runnerID: runnerIDs[best.rank], gpuIndices: held))
    }

    /// After `rank` lost a slot or GPUs: retires its entries and files it again in each class that can still use it.
    private mutating func changed(_ rank: Int) {
        versions[rank] &+= 1
        guard freeSlots[rank] > 0 else { return }
        let entry = RunnerHeap.entry(rank: rank, version: versions[rank])
        for classID in memberships[rank] where !classes[classID].isBlocked {
            let free = freeCount(of: classes[classID].filter, on: rank)
            if free >= classes[classID].count { classes[classID].buckets[free].insert(entry) }
        }
    }

    // MARK: - Classes and matching

    private mutating func jobClass(for requirements: JobRequirements) -> Int {
        if let id = classIDs[requirements] { return id }
        let count = max(0, requirements.gpuCount)
        let filter =
            count > 0
            ? gpuFilter(GPUFilter(type: requirements.gpu?.type, minMemoryGB: requirements.gpu?.minMemoryGB))
            : gpuFilter(GPUFilter(type: nil, minMemoryGB: nil))
        var wantedLabels: [Int] = []
        var knowsEveryLabel = true
        for label in requirements.labels {
            guard let id = labelIDs[label.lowercased()] else {
                knowsEveryLabel = false
                break
            }
            wantedLabels.append(id)
        }
        var eligible: [Int] = []
        var reservable: [Int] = []
        var largest = 0
        if knowsEveryLabel {
            let candidates: [Int]
            if let pinned = requirements.runnerID {
                candidates = rankByID[pinned].map { [$0] } ?? []
            } else {
                candidates = Array(runnerIDs.indices)
            }
            for rank in candidates {
                if let architecture = requirements.architecture, runnerArchitectures[rank] != architecture { continue }
                guard wantedLabels.allSatisfy({ runnerLabels[rank].contains($0) }) else { continue }
                var usable = 0
                var attainable = 0
                for slot in gpuStart[rank]..<gpuStart[rank + 1] where accepts(filter, slot) {
                    usable += 1
                    if !gpuIsWithdrawn[slot] { attainable += 1 }
                }
                guard usable >= count else { continue }
                eligible.append(rank)
                if attainable >= count { reservable.append(rank) }
                largest = max(largest, usable)
            }
        }
        let id = classes.count
        classes.append(
            JobClass(
                count: count, filter: filter, eligible: eligible, reservable: reservable,
                buckets: Array(repeating: RunnerHeap(), count: eligible.isEmpty ? 0 : largest + 1)))
        classIDs[requirements] = id
        for rank in eligible {
            memberships[rank].append(id)
            guard freeSlots[rank] > 0 else { continue }
            let free = freeCount(of: filter, on: rank)
            if free >= count { classes[id].buckets[free].insert(RunnerHeap.entry(rank: rank, version: versions[rank])) }
        }
        return id
    }

    private mutating func gpuFilter(_ filter: GPUFilter) -> Int {
        if let id = filterIDs[filter] { return id }
        let id = filterMinimumGB.count
        filterIDs[filter] = id
        filterAcceptsModel += modelSamples.map { sample in filter.type.map { sample.matches(type: $0) } ?? true }
        filterMinimumGB.append(filter.minMemoryGB ?? -.infinity)
        return id
    }

    /// Whether the GPU in flat slot `slot` serves `filter` by type and memory (free or not).
    private func accepts(_ filter: Int, _ slot: Int) -> Bool {
        filterAcceptsModel[filter &* modelSamples.count &+ gpuModels[slot]]
            && Double(gpuMemoryMB[slot]) / 1024 + 1e-9 >= filterMinimumGB[filter]
    }

    private func freeCount(of filter: Int, on rank: Int) -> Int {
        var free = 0
        for slot in gpuStart[rank]..<gpuStart[rank + 1] where gpuIsFree[slot] && accepts(filter, slot) { free += 1 }
        return free
    }
}
