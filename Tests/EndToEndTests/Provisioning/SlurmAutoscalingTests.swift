import AutoGitClient
import AutoGitCore
import AutoGitFleeting
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Testing

extension ProvisioningEndToEndTests {
    @Suite("autoscaling through Slurm: the agent is a batch job on a real single-node Slurm", Engine.slurm.condition, .engine(.slurm))
    struct SlurmAutoscalingTests {
        /// The jobs Slurm still queues or runs, as `squeue` prints them (`ID NAME`).
        static func queue() async throws -> [String] {
            let engine = try EngineEnvironment.current(.slurm)
            let result = try await CommandRunner.run(
                Command(
                    "squeue", ["--noheader", "--format=%i %j"], environment: ["SLURM_CONF": try engine["SLURM_CONF"]], timeout: .seconds(20)
                ))
            #expect(result.succeeded, "squeue: \(result.errorOutput)")
            return result.output.split(separator: "\n").map(String.init)
        }

        /// Cancels every job of the test cluster, whatever the test left.
        static func cancelAll() async {
            guard let engine = try? EngineEnvironment.current(.slurm), let conf = try? engine["SLURM_CONF"] else { return }
            _ = try? await CommandRunner.run(Command("scancel", ["--user=root"], environment: ["SLURM_CONF": conf], timeout: .seconds(20)))
        }

        @Test("a queued one-GPU job with no runner becomes a Slurm job whose agent runs it; after the idle timeout squeue is empty")
        func scalesFromZeroAndBack() async throws {
            let engine = try EngineEnvironment.current(.slurm)
            try await withAutoscalingServer { scratch in
                [
                    .init(
                        name: "slurm-e2e", type: "slurm",
                        settings: [
                            "slurm_conf": .string(try engine["SLURM_CONF"]), "partition": .string(try engine["AUTOGIT_SLURM_PARTITION"]),
                            "executable": .string(autogitBinary), "time_limit": 10, "command_timeout": 20,
                            "agent_arguments": .array(try AutoscalingServer.agentArguments(in: scratch).map { .string($0) }),
                            "output": .string(scratch.file("%x-%j.log")),
                            "offers": [["id": "fake1", "gpu_type": "fake", "gpu_count": 1]],
                        ],
                        policy: AutoscalingServer.policy)
                ]
            } cleanup: {
                await Self.cancelAll()
            } _: { server in
                let instance = try await server.provisionsRunsAndScalesToZero(provider: "slurm-e2e")
                #expect(Int(instance) != nil, "the instance id is the Slurm job id")
                var left: [String] = []
                #expect(
                    try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        left = try await Self.queue()
                        return left.isEmpty
                    }, "squeue still lists \(left)")
            }
        }
    }
}
