import Foundation

/// Decides what to provision and what to remove, from queued demand and idle capacity. Pure and deterministic:
/// the same providers, demand and time give the same plan, so the engine can run it on every change and tests can
/// drive it through scripted timelines.
///
/// One pass, per provider in configuration order:
/// 1. **Clean-up.** Instances the infrastructure reports `failed` or `preempted`, instances whose agent has not
///    registered within `registration_timeout`, and idle instances that have run `max_use_count` jobs are removed.
/// 2. **Demand.** Queued jobs that nothing can place, grouped by ``DemandShape``, oldest first. Capacity already
///    coming (booting instances, and instances planned earlier in this pass) absorbs demand first; what is left is
///    provisioned on the offer that serves it most cheaply (hourly price × instances needed; offers without a price
///    count as free), spilling over to the next provider when one reaches `max_instances`. Jobs never wait on a
///    full instance while a provider that can serve them has headroom.
/// 3. **Idle capacity**, counted in job slots. The target is `max(min_idle, ceil(scale_factor × busy slots))`
///    (capped by `scale_factor_limit`). Below it, instances of the idle offer are added; above it, instances idle
///    longer than `idle_timeout` are removed, longest idle first, but only while the slots left stay at or above
///    the target — so idle capacity settles on the fewest instances that give `min_idle` slots, never an extra
///    one, and `min_idle = 0` scales to zero whatever `capacity_per_instance` is. Booting instances are never
///    removed as idle. When a time window lowers `max_instances`, idle instances go first, busy ones are left
///    to finish.
///
/// The engine carries out the decisions: it drains an instance's runner (no new jobs) before deprovisioning it,
/// and it re-queues the jobs of runners that were lost, which then appear here as demand that any provider may
/// serve.
public struct Autoscaler: Sendable {
    public init() {}

    public func plan(providers: [ProviderState], demand: [Demand], now: Date) -> AutoscalingPlan {
        var pass = Pass(providers: providers, now: now)
        pass.cleanUp()
        pass.serve(demand)
        pass.keepIdleCapacity()
        return pass.plan
    }
}

/// The working state of one autoscaling pass.
private struct Pass {
    /// Coming capacity that demand can still use: a booting or just-planned instance and what is left of it.
    struct Coming {
        var provider: Int
        var offer: Offer
        var slots: Int
        var gpus: Int
        /// Nil for an instance planned in this pass.
        var instanceID: String?
    }

    let providers: [ProviderState]
    let policies: [AutoscalingPolicy]
    let now: Date
    var removed: [Set<String>]
    var planned: [Int]
    var coming: [Coming] = []
    var plan = AutoscalingPlan()

    init(providers: [ProviderState], now: Date) {
        self.providers = providers
        self.policies = providers.map { $0.policy.effective(at: now) }
        self.now = now
        removed = Array(repeating: [], count: providers.count)
        planned = Array(repeating: 0, count: providers.count)
    }

    // MARK: Clean-up

    mutating func cleanUp() {
        for (index, provider) in providers.enumerated() {
            let policy = policies[index]
            var failed: [String] = []
            var unregistered: [String] = []
            var retired: [String] = []
            for entry in provider.instances.sorted(by: Self.byAge) {
                let instance = entry.instance
                switch instance.state {
                case .failed, .preempted:
                    failed.append(instance.id)
                    continue
                case .creating, .running:
                    break
                default:
                    continue
                }
                if entry.isDraining { continue }
                if entry.isBooting, let created = instance.createdAt,
                    now.timeIntervalSince(created) >= policy.registrationTimeout
                {
                    unregistered.append(instance.id)
                } else if !entry.isBooting, entry.busySlots == 0, let uses = policy.maxUseCount, entry.jobsStarted >= uses {
                    retired.append(instance.id)
                }
            }
            remove(
                failed, from: index, reason: .instanceFailed,
                detail: "the infrastructure reports \(failed.count == 1 ? "it" : "them") failed or preempted")
            remove(
                unregistered, from: index, reason: .registrationTimeout,
                detail: "no agent registered within \(Self.seconds(policy.registrationTimeout))")
            remove(retired, from: index, reason: .maxUseCount, detail: "ran max_use_count = \(policy.maxUseCount ?? 0) jobs")
        }
    }

    // MARK: Demand

    mutating func serve(_ demand: [Demand]) {
        for (index, provider) in providers.enumerated() {
            let capacity = max(1, policies[index].capacityPerInstance)
            for entry in provider.instances.sorted(by: Self.byAge)
            where entry.isBooting && !entry.isDraining && !removed[index].contains(entry.instance.id) {
                let offer = offer(for: entry.instance.shape, of: provider)
                coming.append(
                    Coming(provider: index, offer: offer, slots: capacity, gpus: offer.gpuCount, instanceID: entry.instance.id))
            }
        }
        let ordered = demand.filter { $0.jobCount > 0 }.sorted { left, right in
            switch (left.oldestSubmittedAt, right.oldestSubmittedAt) {
            case (let l?, let r?) where l != r: return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            default: return left.shape < right.shape
            }
        }
        for item in ordered {
            var need = item.jobCount
            absorb(&need, shape: item.shape)
            if need > 0 { provision(&need, for: item) }
        }
    }

    /// Places demand on coming capacity: booting instances first (oldest first), then ones planned in this pass.
    private mutating func absorb(_ need: inout Int, shape: DemandShape) {
        for position in coming.indices where need > 0 {
            let provider = coming[position].provider
            guard serves(shape, provider: provider),
                shape.jobsPerInstance(of: coming[position].offer, capacity: Int.max) > 0
            else { continue }
            while need > 0 && coming[position].slots > 0 && coming[position].gpus >= shape.gpuCount {
                coming[position].slots -= 1
                coming[position].gpus -= shape.gpuCount
                need -= 1
            }
        }
    }

    private mutating func provision(_ need: inout Int, for item: Demand) {
        let shape = item.shape
        var blocked: [String] = []
        while need > 0 {
            struct Candidate {
                var provider: Int
                var offer: Offer
                var perInstance: Int
                var headroom: Int
                var cost: Double
                var instances: Int
            }
            var best: Candidate?
            for (index, provider) in providers.enumerated() {
                guard serves(shape, provider: index) else { continue }
                let capacity = max(1, policies[index].capacityPerInstance)
                let fitting = provider.info.offers.filter { shape.jobsPerInstance(of: $0, capacity: capacity) > 0 }
                guard !fitting.isEmpty else { continue }
                if let until = provider.unavailableUntil, until > now {
                    blocked.append("\(provider.name) is resting after a failed provision until \(RFC3339.string(from: until))")
                    continue
                }
                let headroom = headroom(of: index)
                guard headroom > 0 else {
                    blocked.append("\(provider.name) is at max_instances (\(limit(of: index)))")
                    continue
                }
                for offer in fitting {
                    let perInstance = shape.jobsPerInstance(of: offer, capacity: capacity)
                    let instances = (need + perInstance - 1) / perInstance
                    let candidate = Candidate(
                        provider: index, offer: offer, perInstance: perInstance, headroom: headroom,
                        cost: (offer.hourlyPrice ?? 0) * Double(instances), instances: instances)
                    if let current = best {
                        let better =
                            candidate.cost != current.cost
                            ? candidate.cost < current.cost
                            : candidate.instances != current.instances
                                ? candidate.instances < current.instances
                                : candidate.provider != current.provider
                                    ? candidate.provider < current.provider : candidate.offer.id < current.offer.id
                        if better { best = candidate }
                    } else {
                        best = candidate
                    }
                }
            }
            guard let chosen = best else {
                let reason =
                    blocked.isEmpty
                    ? "no provider offers a machine for \(Self.describe(shape))"
                    : Self.unique(blocked).joined(separator: "; ")
                plan.unserved.append(UnservedDemand(demand: item, jobCount: need, reason: reason))
                return
            }
            let count = min(chosen.instances, chosen.headroom)
            let served = min(need, count * chosen.perInstance)
            addProvision(
                count, offer: chosen.offer, provider: chosen.provider, labels: shape.labels, reason: .demand,
                detail: "\(need) queued job\(need == 1 ? "" : "s") need \(Self.describe(shape)); \(chosen.perInstance) per instance")
            // What the new instances have left over can take later demand and counts as idle capacity.
            let capacity = max(1, policies[chosen.provider].capacityPerInstance)
            var remaining = served
            for _ in 0..<count {
                let used = min(remaining, chosen.perInstance)
                remaining -= used
                coming.append(
                    Coming(
                        provider: chosen.provider, offer: chosen.offer, slots: capacity - used,
                        gpus: chosen.offer.gpuCount - used * shape.gpuCount, instanceID: nil))
            }
            need -= served
        }
    }

    // MARK: Idle capacity

    mutating func keepIdleCapacity() {
        for (index, provider) in providers.enumerated() {
            let policy = policies[index]
            let capacity = max(1, policy.capacityPerInstance)
            let usable = provider.instances.filter {
                $0.instance.state.isAlive && !$0.isDraining && !removed[index].contains($0.instance.id)
            }
            let registered = usable.filter { !$0.isBooting }
            let busy = registered.reduce(0) { $0 + $1.busySlots }
            var idle = registered.reduce(0) { $0 + max(0, capacity - $1.busySlots) }
            idle += coming.filter { $0.provider == index }.reduce(0) { $0 + $1.slots }
            let scaled = Int((policy.scaleFactor * Double(busy)).rounded(.up))
            let target = max(policy.minIdle, min(scaled, policy.scaleFactorLimit ?? Int.max))

            if idle < target {
                let wanted = (target - idle + capacity - 1) / capacity
                let count = min(wanted, headroom(of: index))
                if count > 0, let offer = idleOffer(of: index) {
                    addProvision(
                        count, offer: offer, provider: index, labels: [], reason: .minIdle,
                        detail: "\(idle) idle slot\(idle == 1 ? "" : "s"), keeping \(target)")
                }
            } else {
                var idleTimedOut: [String] = []
                let candidates = registered.filter { entry in
                    guard entry.busySlots == 0, let since = entry.idleSince else { return false }
                    return now.timeIntervalSince(since) >= policy.idleTimeout
                }
                .sorted { ($0.idleSince ?? now, $0.instance.id) < ($1.idleSince ?? now, $1.instance.id) }
                for entry in candidates where idle - capacity >= target {
                    idleTimedOut.append(entry.instance.id)
                    idle -= capacity
                }
                remove(
                    idleTimedOut, from: index, reason: .idleTimeout,
                    detail: "idle longer than \(Self.seconds(policy.idleTimeout)); \(idle) idle slots remain for a target of \(target)")
            }

            // A lowered max_instances: remove idle instances, longest idle first; busy ones finish their jobs.
            let alive = provider.instances.filter {
                $0.instance.state.isAlive && !removed[index].contains($0.instance.id)
            }
            let excess = alive.count + planned[index] - limit(of: index)
            if excess > 0 {
                let idleOnes = alive.filter { !$0.isBooting && !$0.isDraining && $0.busySlots == 0 }
                    .sorted { ($0.idleSince ?? now, $0.instance.id) < ($1.idleSince ?? now, $1.instance.id) }
                remove(
                    idleOnes.prefix(excess).map(\.instance.id), from: index, reason: .overMaxInstances,
                    detail: "\(alive.count) instances for max_instances = \(limit(of: index))")
            }
        }
    }

    // MARK: Helpers

    private func serves(_ shape: DemandShape, provider index: Int) -> Bool {
        let policy = policies[index]
        let carried = Set(policy.labels.map { $0.lowercased() })
        guard shape.labels.allSatisfy(carried.contains) else { return false }
        if let wanted = shape.architecture, let offered = policy.architecture, wanted != offered { return false }
        if shape.architecture != nil && policy.architecture == nil { return false }
        return true
    }

    private func limit(of index: Int) -> Int {
        min(policies[index].maxInstances, providers[index].info.maxInstances ?? Int.max)
    }

    /// Instances the provider may still add in this pass.
    private func headroom(of index: Int) -> Int {
        let alive = providers[index].instances.filter {
            ($0.instance.state.isAlive || $0.instance.state == .deleting) && !removed[index].contains($0.instance.id)
        }
        return max(0, limit(of: index) - alive.count - planned[index])
    }

    private func idleOffer(of index: Int) -> Offer? {
        let offers = providers[index].info.offers.filter(\.available)
        if let id = policies[index].idleOfferID { return offers.first { $0.id == id } }
        return offers.min { ($0.hourlyPrice ?? 0, $0.id) < ($1.hourlyPrice ?? 0, $1.id) }
    }

    /// The offer an instance was made from, or one rebuilt from its shape when the provider no longer lists it.
    private func offer(for shape: ProvisionShape, of provider: ProviderState) -> Offer {
        if let id = shape.offerID, let offer = provider.info.offers.first(where: { $0.id == id }) { return offer }
        return Offer(id: shape.offerID ?? "", gpuType: shape.gpuType, gpuCount: shape.gpuCount)
    }

    private mutating func addProvision(
        _ count: Int, offer: Offer, provider index: Int, labels: [String], reason: AutoscalingDecision.Reason, detail: String
    ) {
        guard count > 0 else { return }
        planned[index] += count
        let shape = ProvisionShape(offerID: offer.id, gpuType: offer.gpuType, gpuCount: offer.gpuCount, labels: labels)
        plan.decisions.append(
            AutoscalingDecision(
                provider: providers[index].name, action: .provision(count: count, shape: shape), reason: reason, detail: detail))
    }

    private mutating func remove(
        _ ids: [String], from index: Int, reason: AutoscalingDecision.Reason, detail: String
    ) {
        let fresh = ids.filter { !removed[index].contains($0) }
        guard !fresh.isEmpty else { return }
        removed[index].formUnion(fresh)
        plan.decisions.append(
            AutoscalingDecision(
                provider: providers[index].name, action: .deprovision(instanceIDs: fresh), reason: reason, detail: detail))
    }

    private static func byAge(_ left: ProviderState.InstanceState, _ right: ProviderState.InstanceState) -> Bool {
        let l = left.instance.createdAt ?? .distantPast
        let r = right.instance.createdAt ?? .distantPast
        return l != r ? l < r : left.instance.id < right.instance.id
    }

    private static func describe(_ shape: DemandShape) -> String {
        var parts: [String] = []
        if shape.gpuCount > 0 {
            parts.append("\(shape.gpuCount) × \(shape.gpuType ?? "any") GPU\(shape.gpuCount == 1 ? "" : "s")")
            if let memory = shape.minGPUMemoryGB { parts.append("≥ \(memory) GiB each") }
        } else {
            parts.append("a CPU slot")
        }
        if !shape.labels.isEmpty { parts.append("labels \(shape.labels.joined(separator: ","))") }
        if let architecture = shape.architecture { parts.append(architecture.rawValue) }
        return parts.joined(separator: ", ")
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() ? "\(Int(interval)) s" : "\(interval) s"
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
