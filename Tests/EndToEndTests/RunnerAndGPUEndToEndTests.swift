import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// The runners and GPUs groups through the SDK, against a real server on loopback.
@Suite("SDK end to end: runners and GPUs", .timeLimit(.minutes(2)))
struct RunnerAndGPUEndToEndTests {
    @Test("runners register with a registration token and are listed with filters and pages")
    func registerAndList() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (gpuBox, _) = try await server.registerAgent(
                "gpu-box", labels: ["cuda", "linux"], gpus: [EmbeddedServer.gpu(0), EmbeddedServer.gpu(1)])
            let (cpuBox, _) = try await server.registerAgent("cpu-box", labels: ["linux"])
            #expect(gpuBox.status == .idle && gpuBox.gpus.map(\.id) == ["\(gpuBox.id):gpu0", "\(gpuBox.id):gpu1"])
            #expect(try await admin.runners.list().collect().map(\.name) == ["cpu-box", "gpu-box"])
            #expect(try await admin.runners.list(labels: ["cuda"]).collect().map(\.id) == [gpuBox.id])
            #expect(try await admin.runners.list(status: .idle, labels: ["linux"], pageSize: 1).collect().count == 2)
            let page = try await admin.runners.listPage(limit: 1)
            #expect(page.items.count == 1 && page.totalCount == 2 && page.hasMore)
            #expect(try await admin.runners.list(status: .offline).collect().isEmpty)

            let updated = try await admin.runners.update(gpuBox.id, RunnerUpdate(tags: ["prod"], metadata: ["rack": "a1"]))
            #expect(updated.tags == ["prod"] && updated.metadata["rack"] == "a1")
            #expect(try await admin.runners.list(tags: ["prod"]).collect().map(\.id) == [gpuBox.id])
            #expect(try await admin.runners.get(cpuBox.id).name == "cpu-box")
            await #expect {
                _ = try await admin.runners.get("runner-none")
            } throws: { error in (error as? AutoGitError)?.code == .runnerNotFound && (error as? AutoGitError)?.status == 404 }
        }
    }

    @Test("heartbeats feed status, health and metrics; configuration is read and changed")
    func heartbeatsAndConfiguration() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (runner, agent) = try await server.registerAgent("busy-box", gpus: [EmbeddedServer.gpu(0)])
            for cpu in [10.0, 20.0, 30.0] {
                let heartbeat = Heartbeat(
                    currentLoad: RunnerLoad(activeJobs: 0, cpuUsage: cpu, memoryUsage: 40),
                    gpus: [GPUReading(index: 0, utilization: cpu * 2)])
                let acknowledgement = try await agent.runners.heartbeat(runner.id, heartbeat)
                #expect(acknowledgement.status == .idle && acknowledgement.cancelJobIDs.isEmpty && acknowledgement.nextHeartbeatIn > 0)
            }
            let metrics = try await admin.runners.metrics(runner.id, period: "1h", resolution: "1m")
            #expect(metrics.summary["max_cpu_usage"] == 30)
            #expect(metrics.metrics["cpu_usage"]?.isEmpty == false && metrics.metrics["gpu_utilization"]?.isEmpty == false)
            await #expect {
                _ = try await admin.runners.metrics(runner.id, period: "forever")
            } throws: { error in (error as? AutoGitError)?.status == 400 }
            let status = try await agent.runners.status(runner.id)
            #expect(status.status == .idle && status.currentLoad?.cpuUsage == 30)
            let health = try await admin.runners.health(runner.id)
            #expect(health.checks["heartbeat"]?.status == .pass && health.checks["gpus"]?.status == .pass)

            #expect(try await agent.runners.configuration(runner.id).configuration.maxConcurrentJobs == 2)
            let changed = try await admin.runners.updateConfiguration(runner.id, RunnerConfiguration(maxConcurrentJobs: 3, jobTimeout: 600))
            #expect(changed.success)
            let configuration = try await admin.runners.configuration(runner.id).configuration
            #expect(configuration.maxConcurrentJobs == 3 && configuration.jobTimeout == 600)
        }
    }

    @Test("start, stop and restart are state transitions; an invalid one is a 409; the runner log records them")
    func lifecycle() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (runner, agent) = try await server.registerAgent("cycled")
            #expect(try await admin.runners.stop(runner.id, RunnerStopRequest(graceful: false, reason: "maintenance")).status == "stopped")
            await #expect {
                try await admin.runners.stop(runner.id)
            } throws: { error in
                let error = error as? AutoGitError
                return error?.code == .invalidStateTransition && error?.status == 409
            }
            #expect(try await agent.runners.requestJob(runner.id, wait: 0) == nil, "a stopped runner gets no work")
            #expect(try await admin.runners.start(runner.id).status == "idle")
            #expect(try await admin.runners.restart(runner.id).success)
            var messages: [String] = []
            for try await line in admin.runners.logs(runner.id, lines: 50) { messages.append(line.message) }
            #expect(messages.first == "Runner 'cycled' registered")
            #expect(messages.contains("Status changed from idle to stopped"))
            let followed = try await first(1, of: admin.runners.logs(runner.id, follow: true)) { $0.message.contains("to stopped") }
            #expect(followed.count == 1)
        }
    }

    @Test("bulk operations report each runner; delete needs force while jobs run and revokes the runner's token")
    func bulkAndDelete() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (first, firstAgent) = try await server.registerAgent("one", labels: ["linux"])
            let (second, _) = try await server.registerAgent("two", labels: ["linux"])
            let tagged = try await admin.runners.bulk(
                BulkOperation(operation: .addTags, filters: .init(labels: ["linux"]), data: ["tags": ["fleet"]]))
            #expect(tagged.success && tagged.affectedRunners == 2)
            let drained = try await admin.runners.bulk(BulkOperation(operation: .drain, filters: .init(ids: [second.id, "runner-x"])))
            #expect(drained.results.map(\.success) == [true, false])
            #expect(drained.results.last?.error?.code == .runnerNotFound)

            let pinned = try await admin.runners.submitJob(JobSpec(name: "pinned", steps: [JobStep(name: "s", run: "true")]), to: first.id)
            #expect(pinned.spec.requirements.runnerID == first.id)
            let taken = try await firstAgent.runners.requestJob(first.id, wait: 5)
            #expect(taken?.id == pinned.id)
            #expect(try await admin.runners.jobs(of: first.id).collect().map(\.id) == [pinned.id])
            await #expect {
                try await admin.runners.delete(first.id)
            } throws: { error in (error as? AutoGitError)?.code == .conflict }
            #expect(try await admin.runners.delete(first.id, force: true).success)
            #expect(try await admin.jobs.get(pinned.id).status == .queued, "its job goes back to the queue")
            await #expect {
                _ = try await firstAgent.runners.heartbeat(first.id, Heartbeat())
            } throws: { error in (error as? AutoGitError)?.status == 401 }
        }
    }

    @Test("an agent removes its own runner with its own token (not with force, not another's, not a provider's)")
    func agentSignsOff() async throws {
        var configuration = EmbeddedServer.testConfiguration
        configuration.providers = [ServerConfiguration.ProviderEntry(name: "cloud", type: "exec")]
        try await withEmbeddedServer(configuration: configuration) { server in
            let (runner, agent) = try await server.registerAgent("leaving")
            let (other, _) = try await server.registerAgent("staying")
            await #expect {
                _ = try await agent.runners.delete(other.id)
            } throws: { ($0 as? AutoGitError)?.status == 403 }
            await #expect {
                _ = try await agent.runners.delete(runner.id, force: true)
            } throws: { ($0 as? AutoGitError)?.status == 403 }
            #expect(try await agent.runners.delete(runner.id).success)
            await #expect {
                _ = try await server.admin.runners.get(runner.id)
            } throws: { ($0 as? AutoGitError)?.status == 404 }

            // A runner made by a configured provider is the provider's to remove.
            let (provisioned, provisionedAgent) = try await server.registerAgent("cloud-1", provider: "cloud")
            await #expect {
                _ = try await provisionedAgent.runners.delete(provisioned.id)
            } throws: { error in
                let error = error as? AutoGitError
                return error?.status == 409 && error?.details?["provider"] == "cloud"
            }
            #expect(try await server.admin.runners.get(provisioned.id).name == "cloud-1")
        }
    }

    @Test("GPUs are listed with their allocation; available shrinks when a job takes one")
    func gpus() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (runner, agent) = try await server.registerAgent(
                "a100-box",
                gpus: [
                    EmbeddedServer.gpu(0), EmbeddedServer.gpu(1, model: "NVIDIA H100 80GB HBM3"),
                    EmbeddedServer.gpu(2, model: "NVIDIA A10", memory: 23_028),
                ])
            #expect(try await admin.gpus.list().collect().count == 3)
            #expect(try await admin.gpus.list(type: "h100").collect().map(\.index) == [1])
            // 80 GB cards report 80 GiB here; the A10's 22.5 GiB is below 40, and 79.5 is not above 80.
            #expect(try await admin.gpus.list(minMemoryGB: 40).collect().map(\.index) == [0, 1])
            #expect(try await admin.gpus.available(type: "a100", minMemoryGB: 79.5).collect().map(\.index) == [0])
            await #expect {
                _ = try await admin.gpus.listPage(minMemoryGB: -1)
            } throws: { error in
                let error = error as? AutoGitError
                return error?.status == 400 && error?.message.contains("min_memory_gb") == true
            }
            // Leave the test's remaining checks on the two 80 GB cards.
            let eighty = 79.0
            #expect(try await admin.gpus.available(minMemoryGB: eighty).collect().count == 2)
            let job = try await admin.jobs.submit(
                JobSpec(
                    name: "gpu", steps: [JobStep(name: "s", run: "nvidia-smi")],
                    requirements: JobRequirements(gpu: GPURequirement(count: 1, type: "a100"))))
            let assigned = try #require(try await agent.runners.requestJob(runner.id, wait: 5))
            #expect(assigned.id == job.id && assigned.gpuIndices == [0])
            #expect(try await admin.gpus.available(minMemoryGB: eighty).collect().map(\.index) == [1])
            #expect(try await admin.gpus.list(available: false).collect().map(\.allocatedJobID) == [job.id])
            #expect(try await admin.gpus.get("\(runner.id):gpu0").allocatedJobID == job.id)
            await #expect {
                _ = try await admin.gpus.get("\(runner.id):gpu9")
            } throws: { error in (error as? AutoGitError)?.code == .gpuNotFound }
        }
    }
}
