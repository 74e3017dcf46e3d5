import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

/// What the provisioning service writes and reads through the engine (Fleet+Provisioning, Fleet+Demand): runner
/// records of new instances taken over by their agents, instance ids matched within their provider, and the load
/// the autoscaler sees, all kept by the engine's own indexes, passes and re-queue rules.
@Suite("Fleet: provisioned runners")
struct FleetProvisioningTests {
    let directory = TemporaryDirectory()
    let clock = TestClock()

    func makeFleet() throws -> (Fleet, DurableStore) {
        let store = try DurableStore(directory: directory.path)
        let clock = self.clock
        return (Fleet(store: store, events: EventBus(), now: { clock.now }), store)
    }

    func record(_ fleet: Fleet, _ name: String, provider: String, instance: String) async throws -> Runner {
        try await fleet.recordProvisionedRunner(name: name, provider: provider, instanceID: instance, labels: ["linux"], details: [:])
    }

    @Test("an agent takes over its instance's record by name: same id, provider and instance, and it is offered queued work")
    func agentTakesOverItsRecord() async throws {
        let (fleet, _) = try makeFleet()
        let job = try await fleet.submit(FleetSchedulingTests.spec())
        let record = try await record(fleet, "local-1a2b", provider: "local", instance: "4242")
        #expect(record.status == .provisioning)
        #expect(await fleet.demandSnapshot().queued.map(\.id) == [job.id], "a record in provisioning takes no job")

        let runner = try await fleet.register(FleetSchedulingTests.registration("local-1a2b", concurrency: 2))
        #expect(runner.id == record.id && runner.status == .idle)
        #expect(runner.provider == "local" && runner.instanceID == "4242")
        #expect(try await fleet.requestJob(for: runner.id, wait: 0)?.id == job.id)
        let snapshot = await fleet.demandSnapshot()
        #expect(snapshot.queued.isEmpty)
        #expect(snapshot.runners.map(\.busySlots) == [1])
    }

    @Test("instance ids are matched within their provider: a local pid and a Slurm job id that are equal stay apart")
    func instanceIDsScopedByProvider() async throws {
        let (fleet, store) = try makeFleet()
        let local = try await record(fleet, "local-aaaa", provider: "local", instance: "4242")
        let slurm = try await record(fleet, "slurm-bbbb", provider: "slurm", instance: "4242")
        #expect(local.id != slurm.id)

        // An agent that names its instance and provider takes over that provider's record, whatever its name.
        var registration = FleetSchedulingTests.registration("slurm-node-7")
        registration.instanceID = "4242"
        registration.provider = "slurm"
        #expect(try await fleet.register(registration).id == slurm.id)
        // Naming only the instance id, which two providers share, matches neither: the name decides.
        registration = FleetSchedulingTests.registration("local-aaaa")
        registration.instanceID = "4242"
        let taken = try await fleet.register(registration)
        #expect(taken.id == local.id && taken.provider == "local")

        // Removing one provider's runner leaves the other's instance known, also after a restart.
        _ = try await fleet.deleteRunner(slurm.id, force: true)
        await store.close()
        let (restarted, _) = try makeFleet()
        registration = FleetSchedulingTests.registration("renamed")
        registration.instanceID = "4242"
        registration.provider = "local"
        #expect(try await restarted.register(registration).id == local.id)
    }

    @Test("an agent quicker than the provision call is tied to the instance, and keeps it when it registers again")
    func quickAgentKeepsItsInstance() async throws {
        let (fleet, _) = try makeFleet()
        let early = try await fleet.register(FleetSchedulingTests.registration("exec-cccc"))
        let record = try await record(fleet, "exec-cccc", provider: "exec", instance: "vm-9")
        #expect(record.id == early.id && record.status == .idle)
        #expect(record.provider == "exec" && record.instanceID == "vm-9")

        // Its agent restarts (same host): the record is taken over again and stays the instance's.
        let again = try await fleet.register(FleetSchedulingTests.registration("exec-cccc"))
        #expect(again.id == early.id && again.provider == "exec" && again.instanceID == "vm-9")
        var registration = FleetSchedulingTests.registration("other-name")
        registration.instanceID = "vm-9"
        registration.provider = "exec"
        #expect(try await fleet.register(registration).id == early.id)
    }

    @Test("the autoscaler's load counts a runner's jobs in its mailbox and running, whatever its status; removal re-queues by the rules")
    func demandFollowsTheEngine() async throws {
        let (fleet, _) = try makeFleet()
        let record = try await record(fleet, "local-dddd", provider: "local", instance: "77")
        let runner = try await fleet.register(FleetSchedulingTests.registration("local-dddd", concurrency: 3))
        let first = try await fleet.submit(FleetSchedulingTests.spec("first", retries: 1))
        let second = try await fleet.submit(FleetSchedulingTests.spec("second"))
        let started = try #require(try await fleet.requestJob(for: runner.id, wait: 0))
        _ = try await fleet.updateJob(started.id, from: runner.id, JobUpdate(status: .running))
        // One job runs, the other waits in the mailbox: both are the runner's load, though it is not `busy`.
        #expect(try await fleet.runner(runner.id).status == .active)
        #expect(await fleet.demandSnapshot().runners.first { $0.runner.id == record.id }?.busySlots == 2)

        // Drained for removal (graceful stop): the job its agent never took goes back on the same attempt.
        _ = try await fleet.perform(.stop, on: runner.id, stop: RunnerStopRequest(graceful: true, reason: "deprovisioning (idle_timeout)"))
        let waiting = started.id == first.id ? second.id : first.id
        let returned = try await fleet.job(waiting)
        #expect(returned.status == .queued && returned.attempt == 1)
        #expect(await fleet.demandSnapshot().runners.first { $0.runner.id == record.id }?.busySlots == 1)

        // The instance vanishes: the running job used its attempt.
        _ = try await fleet.deleteRunner(runner.id, force: true, eventDetails: ["reason": "vanished"])
        let lost = try await fleet.job(started.id)
        if started.id == first.id {
            #expect(lost.status == .queued && lost.attempt == 2)
        } else {
            #expect(lost.status == .failed)
        }
        #expect(await fleet.demandSnapshot().runners.isEmpty)
    }
}
