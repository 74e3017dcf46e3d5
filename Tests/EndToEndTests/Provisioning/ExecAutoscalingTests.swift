import AutoGitClient
import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Testing

extension ProvisioningEndToEndTests {
    @Suite("autoscaling through the exec plugin with the example plugin script")
    struct ExecAutoscalingTests {
        static let examplePlugin = "\(Engine.repositoryRoot)/Examples/plugins/local-processes.py"

        @Test(
            "a queued one-GPU job with no runner gets an agent from Examples/plugins/local-processes.py; after the idle timeout it is gone",
            .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is not installed"))
        func scalesFromZeroAndBack() async throws {
            try await withAutoscalingServer { scratch in
                [
                    .init(
                        name: "exec-e2e", type: "exec",
                        settings: [
                            "executable": "/usr/bin/python3", "arguments": [.string(Self.examplePlugin)], "timeout": 30,
                            "agent_executable": .string(autogitBinary),
                            "agent_arguments": .array(try AutoscalingServer.agentArguments(in: scratch).map { .string($0) }),
                            "config": [
                                "state_dir": .string(scratch.file("exec-state")), "max_instances": 2, "stop_timeout": 5,
                                "offers": [["id": "a100x1", "gpu_type": "a100", "gpu_count": 1, "hourly_price": 1.1]],
                            ],
                        ],
                        policy: AutoscalingServer.policy)
                ]
            } cleanup: {
                TaggedProcesses.killAll(provider: "exec-e2e")
            } _: { server in
                #expect(
                    try await eventually(every: .milliseconds(200)) { try await server.admin.providers.get("exec-e2e").status == "ready" },
                    "\(server.log)")
                let offers = try await server.admin.providers.get("exec-e2e").offers
                #expect(offers.first?.hourlyPrice == 1.1, "the provider shows the plugin's offers with their price")
                let instance = try await server.provisionsRunsAndScalesToZero(provider: "exec-e2e")
                let pid = try #require(Int32(instance))
                #expect(await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) }, "the agent (pid \(pid)) still runs")
                #expect(TaggedProcesses.pids(provider: "exec-e2e").isEmpty)
            }
        }
    }
}
