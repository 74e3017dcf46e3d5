import AutoGitClient
import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Testing

extension ProvisioningEndToEndTests {
    @Suite("autoscaling through the local plugin, with the autogit binary as the agent")
    struct LocalAutoscalingTests {
        static func provider(_ name: String, in scratch: TemporaryDirectory) throws -> ServerConfiguration.ProviderEntry {
            .init(
                name: name, type: "local",
                settings: [
                    "executable": .string(autogitBinary),
                    "agent_arguments": .array(try AutoscalingServer.agentArguments(in: scratch).map { .string($0) }),
                    "log_dir": .string(scratch.file("agents")), "stop_timeout": 5, "gpu_count": 1, "gpu_type": "a100",
                ],
                policy: AutoscalingServer.policy)
        }

        @Test("a queued one-GPU job with no runner gets a local agent that runs it, and the agent's process is gone after the idle timeout")
        func scalesFromZeroAndBack() async throws {
            try await withAutoscalingServer {
                [try Self.provider("local-e2e", in: $0)]
            } cleanup: {
                TaggedProcesses.killAll(provider: "local-e2e")
            } _: { server in
                let instance = try await server.provisionsRunsAndScalesToZero(provider: "local-e2e")
                let pid = try #require(Int32(instance), "the local plugin's instance id is the agent's pid")
                #expect(await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) }, "the agent (pid \(pid)) still runs")
                #expect(TaggedProcesses.pids(provider: "local-e2e").isEmpty)
            }
        }

        @Test("without a provider named, runners come from the cheapest offer that fits, then from the next when it is full")
        func cheapestFirst() async throws {
            try await withAutoscalingServer { scratch in
                try [("pricey", 3.0), ("cheap", 1.0)].map { name, price in
                    var entry = try Self.provider(name, in: scratch)
                    entry.policy = ["max_instances": 1, "idle_timeout": 600]
                    if case .object(var settings) = entry.settings {
                        settings["offers"] = [
                            ["id": .string("\(name)-a100"), "gpu_type": "a100", "gpu_count": 1, "hourly_price": .number(price)]
                        ]
                        entry.settings = .object(settings)
                    }
                    return entry
                }
            } cleanup: {
                TaggedProcesses.killAll(provider: "pricey")
                TaggedProcesses.killAll(provider: "cheap")
            } _: { server in
                let admin = server.admin
                let first = try await admin.runners.provision(RunnerProvisionRequest(gpuType: "a100", gpuCount: 1))
                #expect(first.map(\.provider) == ["cheap"])
                let second = try await admin.runners.provision(RunnerProvisionRequest(gpuType: "a100", gpuCount: 1))
                #expect(second.map(\.provider) == ["pricey"], "the cheap provider is at max_instances")
                await #expect {
                    _ = try await admin.runners.provision(RunnerProvisionRequest(gpuType: "h100", gpuCount: 1))
                } throws: { error in (error as? AutoGitError)?.code == .resourceUnavailable }
                for runner in first + second {
                    #expect(try await admin.runners.delete(runner.id, force: true).status == "deleted")
                }
            }
        }

        @Test("POST /v1/runners provisions through the provider, DELETE drains and deprovisions, and max_instances holds")
        func provisionAndDeleteOnRequest() async throws {
            try await withAutoscalingServer {
                var entry = try Self.provider("local-manual", in: $0)
                entry.policy = ["max_instances": 1, "idle_timeout": 600]
                return [entry]
            } cleanup: {
                TaggedProcesses.killAll(provider: "local-manual")
            } _: { server in
                let admin = server.admin
                let created = try await admin.runners.provision(RunnerProvisionRequest(provider: "local-manual", gpuCount: 1))
                let runner = try #require(created.first)
                #expect(created.count == 1 && runner.status == .provisioning && runner.provider == "local-manual")
                let pid = try #require(runner.instanceID.flatMap(Int32.init))
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        try await admin.runners.get(runner.id).status == .idle
                    },
                    "the agent did not register; server log:\n\(server.log)")
                let registered = try await admin.runners.get(runner.id)
                #expect(registered.gpus.count == 1 && registered.instanceID == String(pid) && registered.provider == "local-manual")

                // One more would pass max_instances = 1.
                await #expect {
                    _ = try await admin.runners.provision(RunnerProvisionRequest(gpuCount: 1))
                } throws: { error in
                    let error = error as? AutoGitError
                    return error?.status == 409 && error?.code == .resourceUnavailable
                        && (error?.message.contains("max_instances") ?? false)
                }
                let listed = try await admin.providers.get("local-manual")
                #expect(listed.status == "ready" && listed.instanceCount == 1 && listed.offers.first?.gpuCount == 1)
                #expect(listed.instances.first?.runnerID == runner.id && listed.instances.first?.provisionReason == "request")

                let result = try await admin.runners.delete(runner.id)
                #expect(result.status == "deleted", "\(result.message ?? "")")
                #expect(!TaggedProcesses.isAlive(pid))
                #expect((try? await admin.runners.get(runner.id)) == nil)
                #expect(try await admin.providers.get("local-manual").instances.isEmpty)
            }
        }
    }
}
