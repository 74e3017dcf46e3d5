import Foundation
import Testing

@testable import AutoGitCore

/// Scripted timelines, including the failures users of GitLab's docker-autoscaler have reported.
@Suite("autoscaler timelines")
struct AutoscalerTimelineTests {
    @Test("a job queued on a full fleet provisions at once while max_instances has headroom")
    func noQueueingOnFullInstance() {
        var fleet = FleetSimulation(
            providers: [.simulated("local", policy: AutoscalingPolicy(minIdle: 0, maxInstances: 3, capacityPerInstance: 2))])
        fleet.submit(2, duration: 600)
        fleet.run(40)
        #expect(fleet.alive().count == 1)
        #expect(fleet.queued.isEmpty)
        // The only instance is full; one more job must not wait for it.
        fleet.submit(1, duration: 600)
        fleet.run(1)
        #expect(fleet.alive().count == 2)
        #expect(fleet.decisions(.demand).count == 2)
        fleet.run(40)
        #expect(fleet.queued.isEmpty)
    }

    @Test("idle capacity settles at exactly min_idle slots when each instance has one slot, and stays there")
    func minIdleExact() {
        var fleet = FleetSimulation(
            providers: [.simulated("local", policy: AutoscalingPolicy(minIdle: 3, maxInstances: 10, idleTimeout: 60))])
        fleet.run(60)
        #expect(fleet.idleSlots() == 3)
        fleet.submit(5, duration: 120)
        fleet.run(400)
        #expect(fleet.queued.isEmpty)
        #expect(fleet.alive().count == 3)
        #expect(fleet.idleSlots() == 3)
        // No oscillation: a long quiet hour changes nothing.
        let before = fleet.log.count
        fleet.run(3600)
        #expect(fleet.log.count == before)
        #expect(fleet.alive().count == 3)
    }

    @Test("with several slots per instance, min_idle keeps the fewest instances that give it, never an extra one")
    func minIdleWithCapacity() {
        var fleet = FleetSimulation(
            providers: [
                .simulated("local", policy: AutoscalingPolicy(minIdle: 2, maxInstances: 10, idleTimeout: 30, capacityPerInstance: 4))
            ])
        fleet.run(60)
        #expect(fleet.alive().count == 1)
        #expect(fleet.idleSlots() == 4)
        fleet.submit(9, duration: 90)
        fleet.run(30)
        // 9 jobs: 4 on the idle instance, 5 more need 2 instances; 3 slots left over ≥ min_idle 2.
        fleet.run(300)
        #expect(fleet.queued.isEmpty)
        #expect(fleet.alive().count == 1)
        #expect(fleet.idleSlots() == 4)
        let before = fleet.log.count
        fleet.run(1800)
        #expect(fleet.log.count == before, "the fleet keeps changing: \(fleet.log.suffix(3).map(\.decision))")
    }

    @Test("min_idle = 0 scales to zero with capacity_per_instance > 1")
    func scaleToZero() {
        var fleet = FleetSimulation(
            providers: [
                .simulated("local", policy: AutoscalingPolicy(minIdle: 0, maxInstances: 5, idleTimeout: 120, capacityPerInstance: 4))
            ])
        fleet.submit(6, duration: 60)
        while !fleet.jobs.isEmpty { fleet.run(1) }
        // Every job is done: two instances, one of them with 2 of its 4 slots never used.
        #expect(fleet.alive().count == 2)
        fleet.run(118)
        #expect(fleet.alive().count == 2, "removed before idle_timeout")
        fleet.run(3)
        #expect(fleet.alive().isEmpty)
        #expect(fleet.decisions(.idleTimeout).count >= 1)
    }

    @Test("an instance still booting is never deprovisioned as idle, even with a zero idle timeout")
    func bootingNeverIdle() {
        var fleet = FleetSimulation(
            providers: [.simulated("local", policy: AutoscalingPolicy(minIdle: 0, maxInstances: 5, idleTimeout: 0))],
            bootSeconds: 90)
        fleet.submit(1, duration: 10)
        fleet.run(89)
        #expect(fleet.alive().count == 1)
        #expect(fleet.decisions(.idleTimeout).isEmpty)
        fleet.run(30)
        #expect(fleet.queued.isEmpty)
        #expect(fleet.alive().isEmpty)
    }

    @Test("max_instances is never exceeded, however large the demand")
    func maxInstances() {
        var fleet = FleetSimulation(
            providers: [.simulated("local", policy: AutoscalingPolicy(minIdle: 2, maxInstances: 4, idleTimeout: 30))])
        fleet.submit(50, duration: 30)
        fleet.run(1000)
        #expect(fleet.peakAlive[0] == 4)
        #expect(fleet.queued.isEmpty)
        #expect(fleet.alive().count == 2)
    }

    @Test("an instance whose agent never registers is removed after registration_timeout, with its reason")
    func registrationTimeout() {
        var fleet = FleetSimulation(
            providers: [.simulated("broken", policy: AutoscalingPolicy(maxInstances: 2, registrationTimeout: 120))])
        fleet.brokenProviders = [0]
        fleet.submit(1)
        fleet.run(119)
        #expect(fleet.alive().count == 1)
        fleet.run(2)
        let removals = fleet.decisions(.registrationTimeout)
        #expect(removals.count == 1)
        #expect(removals.first?.detail.contains("120 s") == true)
        // The job is still queued, so a replacement is requested: nothing is lost, nothing leaks.
        #expect(fleet.alive().count == 1)
        #expect(fleet.instances.filter { $0.state == .gone }.count == 1)
    }

    @Test("max_use_count retires an instance once it is idle")
    func maxUseCount() {
        var fleet = FleetSimulation(
            providers: [.simulated("local", policy: AutoscalingPolicy(minIdle: 1, maxInstances: 3, maxUseCount: 2))])
        fleet.run(40)
        let first = fleet.alive()[0].id
        fleet.submit(1, duration: 10)
        fleet.run(15)
        fleet.submit(1, duration: 10)
        fleet.run(15)
        #expect(fleet.decisions(.maxUseCount).contains { $0.action == .deprovision(instanceIDs: [first]) })
        fleet.run(60)
        #expect(fleet.alive().count == 1)
        #expect(fleet.alive()[0].id != first)
    }

    @Test("scale_factor keeps idle slots in proportion to busy ones, capped by scale_factor_limit")
    func scaleFactor() {
        var fleet = FleetSimulation(
            providers: [
                .simulated(
                    "local", policy: AutoscalingPolicy(minIdle: 1, maxInstances: 50, scaleFactor: 0.5, scaleFactorLimit: 3))
            ])
        fleet.submit(4, duration: 10_000)
        fleet.run(200)
        #expect(fleet.idleSlots() == 2)
        fleet.submit(10, duration: 10_000)
        fleet.run(200)
        #expect(fleet.idleSlots() == 3)
    }

    @Test("GPU demand goes to the offer that serves it most cheaply, across providers")
    func cheapestOffer() {
        let cloud = ProviderState.simulated(
            "cloud", policy: AutoscalingPolicy(maxInstances: 10, capacityPerInstance: 8),
            offers: [
                Offer(id: "a100x1", gpuType: "NVIDIA A100-SXM4-80GB", gpuCount: 1, hourlyPrice: 1.5),
                Offer(id: "a100x8", gpuType: "NVIDIA A100-SXM4-80GB", gpuCount: 8, hourlyPrice: 10),
            ])
        let slurm = ProviderState.simulated(
            "slurm", policy: AutoscalingPolicy(maxInstances: 10, capacityPerInstance: 8),
            offers: [Offer(id: "h100x4", gpuType: "H100", gpuCount: 4, hourlyPrice: 1)])
        let shape = DemandShape(gpuCount: 1, gpuType: "a100")
        let one = Autoscaler().plan(
            providers: [cloud, slurm], demand: [Demand(shape: shape, jobCount: 1)], now: Date())
        #expect(one.decisions.map(\.action) == [.provision(count: 1, shape: Self.shape("a100x1", "NVIDIA A100-SXM4-80GB", 1))])
        let many = Autoscaler().plan(
            providers: [cloud, slurm], demand: [Demand(shape: shape, jobCount: 8)], now: Date())
        #expect(many.decisions.map(\.action) == [.provision(count: 1, shape: Self.shape("a100x8", "NVIDIA A100-SXM4-80GB", 8))])
        // H100 demand can only go to Slurm.
        let h100 = Autoscaler().plan(
            providers: [cloud, slurm], demand: [Demand(shape: DemandShape(gpuCount: 2, gpuType: "h100"), jobCount: 3)],
            now: Date())
        #expect(h100.decisions.map(\.provider) == ["slurm"])
        #expect(h100.decisions.first?.action == .provision(count: 2, shape: Self.shape("h100x4", "H100", 4)))
    }

    @Test("demand spills over to the next provider at max_instances, and what nobody can serve says why")
    func spillOverAndUnserved() {
        let cheap = ProviderState.simulated(
            "cheap", policy: AutoscalingPolicy(maxInstances: 2), offers: [Offer(id: "cpu", hourlyPrice: 0.1)])
        let dear = ProviderState.simulated(
            "dear", policy: AutoscalingPolicy(maxInstances: 1), offers: [Offer(id: "cpu", hourlyPrice: 1)])
        let plan = Autoscaler().plan(providers: [dear, cheap], demand: [Demand(shape: DemandShape(), jobCount: 5)], now: Date())
        #expect(plan.decisions.map(\.provider) == ["cheap", "dear"])
        #expect(plan.decisions.map(\.action).first == .provision(count: 2, shape: ProvisionShape(offerID: "cpu")))
        #expect(plan.unserved.count == 1)
        #expect(plan.unserved.first?.jobCount == 2)
        #expect(plan.unserved.first?.reason.contains("max_instances") == true)

        let none = Autoscaler().plan(
            providers: [cheap], demand: [Demand(shape: DemandShape(gpuCount: 1), jobCount: 1)], now: Date())
        #expect(none.decisions.isEmpty)
        #expect(none.unserved.first?.reason.contains("no provider offers") == true)
    }

    @Test("a resting provider is skipped: its demand goes elsewhere, or waits with the reason")
    func unavailableProvider() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var slurm = ProviderState.simulated("slurm", policy: AutoscalingPolicy(maxInstances: 2))
        slurm.unavailableUntil = now.addingTimeInterval(30)
        let local = ProviderState.simulated("local", policy: AutoscalingPolicy(maxInstances: 2))
        let demand = [Demand(shape: DemandShape(), jobCount: 1)]
        #expect(Autoscaler().plan(providers: [slurm, local], demand: demand, now: now).decisions.map(\.provider) == ["local"])
        let alone = Autoscaler().plan(providers: [slurm], demand: demand, now: now)
        #expect(alone.decisions.isEmpty)
        #expect(alone.unserved.first?.reason.contains("resting") == true)
        #expect(Autoscaler().plan(providers: [slurm], demand: demand, now: now.addingTimeInterval(31)).decisions.count == 1)
    }

    @Test("jobs re-queued from a lost runner go back to the cheapest provider, or elsewhere while it rests")
    func requeuedElsewhere() {
        func preemptedFleet() -> FleetSimulation {
            var fleet = FleetSimulation(
                providers: [
                    .simulated("spot", policy: AutoscalingPolicy(maxInstances: 1), offers: [Offer(id: "cpu", hourlyPrice: 0.1)]),
                    .simulated("ondemand", policy: AutoscalingPolicy(maxInstances: 2), offers: [Offer(id: "cpu", hourlyPrice: 1)]),
                ])
            fleet.submit(1, duration: 1000)
            fleet.run(40)
            // The spot instance is preempted mid-job and the engine re-queues its job.
            let index = fleet.instances.firstIndex { $0.provider == 0 }!
            fleet.instances[index].state = .preempted
            fleet.jobs[0].startedAt = nil
            fleet.jobs[0].instance = nil
            return fleet
        }
        var again = preemptedFleet()
        again.run(1)
        #expect(again.decisions(.instanceFailed).count == 1)
        #expect(again.log.last { $0.decision.reason == .demand }?.decision.provider == "spot")

        // The engine rests a provider that just preempted: the retry goes to the other one.
        var elsewhere = preemptedFleet()
        elsewhere.providers[0].unavailableUntil = elsewhere.date(elsewhere.now + 600)
        elsewhere.run(1)
        #expect(elsewhere.log.last { $0.decision.reason == .demand }?.decision.provider == "ondemand")
        elsewhere.run(40)
        #expect(elsewhere.queued.isEmpty)
        #expect(elsewhere.alive(1).count == 1)
    }

    @Test("labels and architecture limit which provider may serve a shape")
    func labelsAndArchitecture() {
        let arm = ProviderState.simulated("arm", policy: AutoscalingPolicy(labels: ["docker", "ARM"], architecture: .arm64))
        let plain = ProviderState.simulated("plain", policy: AutoscalingPolicy())
        let labelled = Autoscaler().plan(
            providers: [plain, arm], demand: [Demand(shape: DemandShape(labels: ["Docker"]), jobCount: 1)], now: Date())
        #expect(labelled.decisions.map(\.provider) == ["arm"])
        #expect(labelled.decisions.first?.action == .provision(count: 1, shape: ProvisionShape(offerID: "cpu", labels: ["docker"])))
        let architecture = Autoscaler().plan(
            providers: [plain, arm], demand: [Demand(shape: DemandShape(architecture: .arm64), jobCount: 1)], now: Date())
        #expect(architecture.decisions.map(\.provider) == ["arm"])
        let unknown = Autoscaler().plan(
            providers: [plain], demand: [Demand(shape: DemandShape(labels: ["gpu"]), jobCount: 1)], now: Date())
        #expect(unknown.decisions.isEmpty && unknown.unserved.count == 1)
    }

    @Test("a time window that lowers max_instances removes idle instances first and lets busy ones finish")
    func windowLowersMax() {
        // 2023-11-14 22:13:20 UTC is a Tuesday; the window covers 22:00–06:00 every day.
        var fleet = FleetSimulation(
            providers: [
                .simulated(
                    "local",
                    policy: AutoscalingPolicy(
                        minIdle: 4, maxInstances: 6, idleTimeout: 3600,
                        windows: [AutoscalingWindow(startHour: 23, endHour: 6, minIdle: 0, maxInstances: 1)]))
            ])
        fleet.submit(2, duration: 3000)
        fleet.run(60)
        #expect(fleet.alive().count == 6)
        // Cross 23:00: four idle instances go at once; the two busy ones stay until their jobs end.
        fleet.run(2800)
        #expect(fleet.decisions(.overMaxInstances).count >= 1)
        #expect(fleet.alive().count == 2)
        fleet.run(400)
        #expect(fleet.alive().count == 1)
    }

    @Test("the same input gives the same plan")
    func deterministic() {
        let providers = (0..<3).map { index in
            ProviderState.simulated(
                "p\(index)", policy: AutoscalingPolicy(minIdle: index, maxInstances: 4, capacityPerInstance: index + 1),
                offers: [Offer(id: "g\(index)", gpuType: "a100", gpuCount: 2 * index, hourlyPrice: Double(index))])
        }
        let demand = [
            Demand(shape: DemandShape(gpuCount: 1, gpuType: "a100"), jobCount: 5),
            Demand(shape: DemandShape(), jobCount: 3),
            Demand(shape: DemandShape(gpuCount: 2), jobCount: 2),
        ]
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let first = Autoscaler().plan(providers: providers, demand: demand, now: now)
        for _ in 0..<20 {
            #expect(Autoscaler().plan(providers: providers, demand: demand.shuffled(), now: now) == first)
        }
    }

    static func shape(_ offer: String, _ type: String, _ count: Int) -> ProvisionShape {
        ProvisionShape(offerID: offer, gpuType: type, gpuCount: count)
    }
}
