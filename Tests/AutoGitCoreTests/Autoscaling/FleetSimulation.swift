import Foundation

@testable import AutoGitCore

/// A scripted fleet for autoscaler timelines: it carries out the plan's decisions, boots instances after a delay,
/// places queued jobs on free slots (first fit, CPU and GPU), finishes them after their duration, and records
/// everything the tests assert on. Time moves in whole seconds.
struct FleetSimulation {
    struct Job {
        var id: Int
        var shape: DemandShape
        var duration: Int
        var submittedAt: Int
        var startedAt: Int?
        var instance: String?
    }

    struct Instance {
        var id: String
        var provider: Int
        var shape: ProvisionShape
        var createdAt: Int
        var registeredAt: Int?
        var state: FleetingInstanceState = .creating
        var jobsStarted = 0
        var idleSince: Int?
        /// Never registers (a broken image).
        var isBroken = false
    }

    var providers: [ProviderState]
    var bootSeconds: Int
    var now = 0
    var jobs: [Job] = []
    var instances: [Instance] = []
    var nextInstance = 0
    /// Every decision with the time it was made.
    var log: [(time: Int, decision: AutoscalingDecision)] = []
    var unserved: [(time: Int, item: UnservedDemand)] = []
    /// The highest number of alive instances seen per provider.
    var peakAlive: [Int]
    var brokenProviders: Set<Int> = []
    let autoscaler = Autoscaler()
    let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    init(providers: [ProviderState], bootSeconds: Int = 30) {
        self.providers = providers
        self.bootSeconds = bootSeconds
        peakAlive = Array(repeating: 0, count: providers.count)
    }

    func date(_ second: Int) -> Date { epoch.addingTimeInterval(TimeInterval(second)) }

    mutating func submit(_ count: Int, shape: DemandShape = DemandShape(), duration: Int = 60) {
        for _ in 0..<count {
            jobs.append(Job(id: jobs.count, shape: shape, duration: duration, submittedAt: now))
        }
    }

    func capacity(of provider: Int) -> Int { providers[provider].policy.effective(at: date(now)).capacityPerInstance }

    func alive(_ provider: Int? = nil) -> [Instance] {
        instances.filter { $0.state.isAlive && (provider == nil || $0.provider == provider) }
    }

    func running(on id: String) -> [Job] { jobs.filter { $0.instance == id && $0.startedAt != nil } }

    var queued: [Job] { jobs.filter { $0.startedAt == nil } }

    /// Idle job slots on registered instances.
    func idleSlots(_ provider: Int = 0) -> Int {
        alive(provider).filter { $0.registeredAt != nil }.reduce(0) { $0 + capacity(of: provider) - running(on: $1.id).count }
    }

    func decisions(_ reason: AutoscalingDecision.Reason) -> [AutoscalingDecision] {
        log.map(\.decision).filter { $0.reason == reason }
    }

    /// Advances `seconds`, one tick per second: finish jobs, boot, place, then one autoscaling pass.
    mutating func run(_ seconds: Int) {
        for _ in 0..<seconds {
            now += 1
            tick()
        }
    }

    private mutating func tick() {
        // Finish jobs.
        for index in jobs.indices {
            guard let started = jobs[index].startedAt, let id = jobs[index].instance, now - started >= jobs[index].duration
            else { continue }
            jobs[index].instance = "done:\(id)"
        }
        jobs.removeAll { $0.instance?.hasPrefix("done:") == true }
        // Boot.
        for index in instances.indices
        where instances[index].registeredAt == nil && instances[index].state.isAlive && !instances[index].isBroken
            && now - instances[index].createdAt >= bootSeconds
        {
            instances[index].registeredAt = now
            instances[index].state = .running
            instances[index].idleSince = now
        }
        place()
        // Autoscale.
        let demand = currentDemand()
        var states = providers
        for index in states.indices {
            states[index].instances = instances.filter { $0.provider == index && $0.state != .gone }.map { instance in
                ProviderState.InstanceState(
                    instance: FleetingInstance(
                        id: instance.id, state: instance.state, runnerName: instance.id, shape: instance.shape,
                        createdAt: date(instance.createdAt)),
                    registeredAt: instance.registeredAt.map(date), busySlots: running(on: instance.id).count,
                    jobsStarted: instance.jobsStarted,
                    idleSince: running(on: instance.id).isEmpty ? instance.idleSince.map(date) : nil)
            }
        }
        let plan = autoscaler.plan(providers: states, demand: demand, now: date(now))
        for item in plan.unserved { unserved.append((now, item)) }
        for decision in plan.decisions {
            log.append((now, decision))
            let provider = providers.firstIndex { $0.name == decision.provider }!
            switch decision.action {
            case .provision(let count, let shape):
                for _ in 0..<count {
                    nextInstance += 1
                    instances.append(
                        Instance(
                            id: "\(providers[provider].name)-\(nextInstance)", provider: provider, shape: shape, createdAt: now,
                            isBroken: brokenProviders.contains(provider)))
                }
            case .deprovision(let ids):
                for id in ids {
                    let index = instances.firstIndex { $0.id == id }!
                    precondition(running(on: id).isEmpty, "deprovisioned \(id) with running jobs")
                    instances[index].state = .gone
                }
            }
        }
        for provider in providers.indices {
            peakAlive[provider] = max(peakAlive[provider], alive(provider).count)
        }
    }

    /// First fit in submission order; GPU jobs need free GPUs of a fitting offer.
    private mutating func place() {
        for jobIndex in jobs.indices where jobs[jobIndex].startedAt == nil {
            let shape = jobs[jobIndex].shape
            for index in instances.indices where instances[index].registeredAt != nil && instances[index].state == .running {
                let instance = instances[index]
                let cap = capacity(of: instance.provider)
                let here = running(on: instance.id)
                guard here.count < cap else { continue }
                let policy = providers[instance.provider].policy
                guard Set(shape.labels).isSubset(of: Set(policy.labels.map { $0.lowercased() })) else { continue }
                let offer = providers[instance.provider].info.offers.first { $0.id == instance.shape.offerID }!
                let usedGPUs = here.reduce(0) { $0 + $1.shape.gpuCount }
                guard shape.jobsPerInstance(of: offer, capacity: cap) > 0, offer.gpuCount - usedGPUs >= shape.gpuCount else {
                    continue
                }
                jobs[jobIndex].startedAt = now
                jobs[jobIndex].instance = instance.id
                instances[index].jobsStarted += 1
                instances[index].idleSince = nil
                break
            }
        }
        // Instances that just became idle.
        for index in instances.indices where instances[index].registeredAt != nil && instances[index].idleSince == nil {
            if running(on: instances[index].id).isEmpty { instances[index].idleSince = now }
        }
    }

    private func currentDemand() -> [Demand] {
        var groups: [DemandShape: (count: Int, oldest: Int)] = [:]
        for job in queued {
            let current = groups[job.shape] ?? (0, job.submittedAt)
            groups[job.shape] = (current.count + 1, min(current.oldest, job.submittedAt))
        }
        return groups.map { Demand(shape: $0.key, jobCount: $0.value.count, oldestSubmittedAt: date($0.value.oldest)) }
    }
}

extension ProviderState {
    /// A provider with one CPU offer (or the given offers) for simulations.
    static func simulated(
        _ name: String, policy: AutoscalingPolicy, offers: [Offer] = [Offer(id: "cpu")], maxInstances: Int? = nil
    ) -> ProviderState {
        ProviderState(
            name: name, policy: policy, info: ProviderInfo(name: name, version: "1", maxInstances: maxInstances, offers: offers))
    }
}
