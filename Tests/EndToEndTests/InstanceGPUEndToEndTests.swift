import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// Instances and jobs share one GPU allocation: a real `autogit runner` agent with a fake two-A100 inventory on this
/// host, a real `python3 -m http.server` instance asking for one GPU, and jobs asking for one or two.
@Suite("End to end: instances and jobs share the fleet's GPUs", .serialized, .timeLimit(.minutes(3)))
struct InstanceGPUEndToEndTests {
    /// Prints the GPUs it sees, then serves; `/` is its health path.
    static func model(_ name: String, gpus: Int) -> Instance {
        var instance = Instance(
            name: name, backend: .custom,
            command: #"sh -c 'echo "visible=[$CUDA_VISIBLE_DEVICES]"; exec python3 -m http.server {port} --bind 127.0.0.1'"#,
            gpu: GPURequirement(count: gpus, type: "a100"))
        instance.healthPath = "/"
        return instance
    }

    static func gpuJob(_ name: String, gpus: Int) -> JobSpec {
        JobSpec(
            name: name, steps: [JobStep(name: "show", run: #"echo "visible=[$CUDA_VISIBLE_DEVICES]""#)], timeout: 120,
            requirements: JobRequirements(gpu: GPURequirement(count: gpus, type: "a100")))
    }

    static func running(_ name: String, fleet: AgentFleet) async throws -> Instance {
        try await fleet.waitFor("instance \(name) to run", within: 60) {
            let instance = try await fleet.admin.instances.get(name)
            #expect(instance.status != .failed, "\(instance.lastError ?? "")")
            return instance.status == .running ? instance : nil
        }
    }

    @Test("an instance's GPU is not given to a job; a job's GPU is not given to an instance; stopping frees it")
    func sharedAllocation() async throws {
        try await withAgentFleet { fleet in
            let client = fleet.admin
            let (_, runner) = try await fleet.startAgent("gpus", gpus: 2)
            _ = try await client.instances.create(Self.model("llm", gpus: 1))
            defer { Task { _ = try? await client.instances.stop("llm", InstanceStopRequest(force: true)) } }
            _ = try await client.instances.start("llm")
            _ = try await Self.running("llm", fleet: fleet)

            // The instance holds GPU 0 of the agent's runner, and its process sees exactly that one.
            let gpus = try await client.gpus.listPage(runnerID: runner.id).items.sorted { $0.index < $1.index }
            #expect(gpus.map(\.allocatedInstance) == ["llm", nil])
            _ = try await fleet.waitFor("the instance's output") {
                try await client.instances.logPage("llm", lines: 100).items.contains { $0.message == "visible=[0]" } ? true : nil
            }

            // A job wanting both GPUs waits; one wanting one runs beside the instance, on the other GPU.
            let big = try await client.jobs.submit(Self.gpuJob("both", gpus: 2))
            let small = try await fleet.finished(try await client.jobs.submit(Self.gpuJob("one", gpus: 1)).id)
            #expect(small.status == .succeeded && small.gpuIndices == [1], "\(small.status): \(small.statusReason ?? "")")
            #expect(try await fleet.logLines(small.id).contains { $0.message == "visible=[1]" })
            #expect(try await client.jobs.get(big.id).status == .queued)

            // While a job holds GPU 1, a second instance cannot have it: 503 naming what is free.
            let holder = try await client.jobs.submit(
                JobSpec(
                    name: "hold", steps: [JobStep(name: "sleep", run: "sleep 30")], timeout: 120,
                    requirements: JobRequirements(gpu: GPURequirement(count: 1))))
            _ = try await fleet.waitFor("the holding job to run") {
                try await client.jobs.get(holder.id).status == .running ? true : nil
            }
            _ = try await client.instances.create(Self.model("second", gpus: 1))
            await #expect {
                _ = try await client.instances.start("second")
            } throws: { error in
                let error = error as? AutoGitError
                return error?.status == 503 && error?.code == .resourceUnavailable && (error?.message.contains("0 free of 2") ?? false)
            }
            #expect(try await client.instances.get("second").status == .failed)
            _ = try await client.jobs.cancel(holder.id)
            _ = try await fleet.finished(holder.id)

            // Stopping the instance frees GPU 0: the two-GPU job runs on both.
            _ = try await client.instances.stop("llm")
            let both = try await fleet.finished(big.id)
            #expect(both.status == .succeeded && both.gpuIndices == [0, 1], "\(both.status): \(both.statusReason ?? "")")
            #expect(try await fleet.logLines(big.id).contains { $0.message == "visible=[0,1]" })
            let after = try await client.gpus.listPage(runnerID: runner.id).items
            #expect(after.allSatisfy { $0.allocatedInstance == nil && $0.allocatedJobID == nil })
        }
    }

    @Test("instances.gpu_hosts names the host whose runners lend instances their GPUs, changed without a restart")
    func namedGPUHosts() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            let (runner, _) = try await server.registerAgent("gpu-box", gpus: [EmbeddedServer.gpu(0)])
            _ = try await client.instances.create(Self.model("named", gpus: 1))
            defer { Task { _ = try? await client.instances.stop("named", InstanceStopRequest(force: true)) } }
            // The agent reports host gpu-box.local, not this machine's name: no GPU for the instance yet.
            await #expect {
                _ = try await client.instances.start("named")
            } throws: { ($0 as? AutoGitError)?.status == 503 }
            _ = try await client.config.patch(["instances": ["gpu_hosts": ["gpu-box.local"]]])
            _ = try await client.instances.start("named")
            let held = try await client.gpus.get("\(runner.id):gpu0")
            #expect(held.allocatedInstance == "named")
        }
    }

    @Test("without a runner on this host reporting GPUs, a GPU instance fails to start with a 503 that says what to do")
    func noLocalGPUs() async throws {
        try await withAgentFleet { fleet in
            let client = fleet.admin
            _ = try await client.instances.create(Self.model("lonely", gpus: 1))
            await #expect {
                _ = try await client.instances.start("lonely")
            } throws: { error in
                let error = error as? AutoGitError
                return error?.status == 503 && (error?.message.contains("autogit runner") ?? false)
            }
            let instance = try await client.instances.get("lonely")
            #expect(instance.status == .failed)
            #expect(instance.lastError?.contains("no runner on this server's host") == true)
        }
    }
}
