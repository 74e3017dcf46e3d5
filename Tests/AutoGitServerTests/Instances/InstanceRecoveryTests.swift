import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

#if canImport(Glibc)
import Glibc
#endif

extension InstanceProcessSuites {
    @Suite("Instances: persistence and recovery after a server crash", .timeLimit(.minutes(2)))
    struct InstanceRecoveryTests {
        @Test("definitions survive a restart of the manager")
        func definitionsPersist() async throws {
            try await InstanceHarness.run { harness in
                let first = try harness.makeManager()
                var spec = httpServerInstance("kept", policy: RestartPolicy(mode: .onFailure, maxRestarts: 3, backoffSeconds: 2))
                spec.environment = ["MODEL_CACHE": "/tmp/cache"]
                spec.healthPath = "/"
                let created = try await first.create(spec)
                await first.shutdown()
                await harness.closeStores()

                let second = try harness.makeManager()
                let report = await second.recover()
                #expect(report == InstanceRecoveryReport())
                let loaded = try await second.get("kept")
                #expect(loaded.port == created.port)
                #expect(loaded.environment == ["MODEL_CACHE": "/tmp/cache"])
                #expect(loaded.restartPolicy == spec.restartPolicy)
                #expect(loaded.healthPath == "/")
                #expect(loaded.status == .stopped)
                #expect(abs((loaded.createdAt ?? .distantPast).timeIntervalSince(created.createdAt ?? .distantFuture)) < 1)
            }
        }

        @Test("after a crash: a still-serving orphan is adopted, a broken one is killed, and each follows its policy")
        func crashRecovery() async throws {
            try await InstanceHarness.run { harness in
                let script = try harness.script("quiet.py", Scripts.quietServer)
                let crashed = try harness.makeManager()
                // Survives losing its output (it logs nothing) and keeps answering: adopted.
                _ = try await crashed.create(
                    Instance(
                        name: "quiet", backend: .custom, command: "exec python3 \(script) {port}",
                        restartPolicy: RestartPolicy(mode: .never)))
                // http.server fails every request once its log output is cut off: killed, then restarted (always).
                _ = try await crashed.create(httpServerInstance("plain", policy: RestartPolicy(mode: .always, backoffSeconds: 0)))
                // The same, under never: killed and left stopped.
                _ = try await crashed.create(httpServerInstance("once", policy: RestartPolicy(mode: .never)))
                var pids: [String: Int32] = [:]
                for name in ["quiet", "plain", "once"] {
                    _ = try await crashed.start(name)
                    pids[name] = try await crashed.waitUntilRunning(name, timeout: .seconds(20)).pid
                }
                let quietPID = try #require(pids["quiet"])
                let plainPID = try #require(pids["plain"])
                let oncePID = try #require(pids["once"])

                await crashed.abandon()
                await harness.closeStores()
                #expect(!ProcFS.isGone(plainPID) && !ProcFS.isGone(oncePID) && !ProcFS.isGone(quietPID))

                let restarted = try harness.makeManager()
                let report = await restarted.recover()
                #expect(report.adopted == ["quiet": quietPID])
                #expect(report.killed == ["plain": plainPID, "once": oncePID])
                #expect(report.restarted == ["plain"])

                // No orphan is left: the old processes are gone (or zombies waiting for a slow reaper).
                #expect(ProcFS.isGone(plainPID))
                #expect(ProcFS.isGone(oncePID))

                let quiet = try await restarted.get("quiet")
                #expect(quiet.status == .running)
                #expect(quiet.pid == quietPID)
                #expect(try await restarted.health("quiet").status == .healthy)
                #expect(try await restarted.logs("quiet").contains { $0.message.contains("adopted pid \(quietPID)") })

                let plain = try await restarted.waitUntilRunning("plain", timeout: .seconds(20))
                #expect(plain.pid != nil && plain.pid != plainPID)
                let once = try await restarted.get("once")
                #expect(once.status == .stopped)
                #expect(once.pid == nil)

                // The adopted process is supervised again: stopping it ends it.
                _ = try await restarted.stop("quiet")
                let quietGone = await eventually { ProcFS.isGone(quietPID) }
                #expect(quietGone)
            }
        }

        @Test("GPU holds outlive a crash: an adopted instance keeps its GPU, a killed one's is freed for jobs")
        func gpuHoldsAfterCrash() async throws {
            try await InstanceHarness.run { harness in
                let script = try harness.script("quiet.py", Scripts.quietServer)
                // The fleet: one runner on this host with two GPUs, in a store of its own.
                let fleetPath = harness.directory.path + "/fleet"
                let firstStore = try DurableStore(directory: fleetPath)
                let firstFleet = Fleet(store: firstStore, events: EventBus())
                let runner = try await firstFleet.register(
                    RunnerRegistration(
                        name: "local", host: HostName.current,
                        gpus: (0..<2).map { GPU(index: $0, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81_920) }))
                let crashed = try harness.makeManager(gpuAllocator: FleetInstanceGPUs(fleet: firstFleet))
                var quiet = Instance(
                    name: "quiet", backend: .custom, command: "exec python3 \(script) {port}", restartPolicy: RestartPolicy(mode: .never))
                quiet.gpu = GPURequirement(count: 1)
                var once = httpServerInstance("once", policy: RestartPolicy(mode: .never))
                once.gpu = GPURequirement(count: 1)
                for instance in [quiet, once] {
                    _ = try await crashed.create(instance)
                    _ = try await crashed.start(instance.name)
                    _ = try await crashed.waitUntilRunning(instance.name, timeout: .seconds(20))
                }
                #expect(Set(await firstFleet.instanceGPUHolds.keys) == ["quiet", "once"])

                await crashed.abandon()
                await harness.closeStores()
                await firstStore.close()

                let fleet = Fleet(store: try DurableStore(directory: fleetPath), events: EventBus())
                #expect(Set(await fleet.instanceGPUHolds.keys) == ["quiet", "once"], "holds are journalled with the runner")
                let restarted = try harness.makeManager(gpuAllocator: FleetInstanceGPUs(fleet: fleet))
                let report = await restarted.recover()
                #expect(Array(report.adopted.keys) == ["quiet"])
                let holds = await fleet.instanceGPUHolds
                #expect(Array(holds.keys) == ["quiet"])
                #expect(holds["quiet"]?.runnerID == runner.id)
                let free = await fleet.listGPUs(GPUQuery()).items.filter(\.isAvailable)
                #expect(free.count == 1, "the killed instance's GPU is free again")

                // The adopted instance knows its GPU again: stopping it frees it.
                _ = try await restarted.stop("quiet")
                #expect(await fleet.instanceGPUHolds.isEmpty)
            }
        }

        @Test("after a clean shutdown, instances with the always policy are started again and the others stay stopped")
        func cleanShutdownResumes() async throws {
            try await InstanceHarness.run { harness in
                let first = try harness.makeManager()
                _ = try await first.create(httpServerInstance("always", policy: RestartPolicy(mode: .always)))
                _ = try await first.create(httpServerInstance("on-failure", policy: RestartPolicy(mode: .onFailure)))
                var pids: [Int32] = []
                for name in ["always", "on-failure"] {
                    _ = try await first.start(name)
                    pids.append(try #require(try await first.waitUntilRunning(name, timeout: .seconds(20)).pid))
                }
                await first.shutdown()
                for pid in pids { #expect(ProcFS.isGone(pid)) }
                await harness.closeStores()

                let second = try harness.makeManager()
                let report = await second.recover()
                #expect(report.restarted == ["always"])
                #expect(report.killed.isEmpty && report.adopted.isEmpty)
                #expect(try await second.waitUntilRunning("always", timeout: .seconds(20)).status == .running)
                #expect(try await second.get("on-failure").status == .stopped)
            }
        }
    }
}
