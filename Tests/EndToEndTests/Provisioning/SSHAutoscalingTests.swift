import AutoGitClient
import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Testing

extension ProvisioningEndToEndTests {
    @Suite("autoscaling through SSH: the agent is started over ssh on a private sshd on 127.0.0.1", Engine.sshd.condition, .engine(.sshd))
    struct SSHAutoscalingTests {
        @Test("a queued one-GPU job with no runner gets an agent started over ssh; after the idle timeout its process is gone")
        func scalesFromZeroAndBack() async throws {
            let engine = try EngineEnvironment.current(.sshd)
            try await withAutoscalingServer { scratch in
                [
                    .init(
                        name: "ssh-e2e", type: "ssh",
                        settings: [
                            "hosts": [
                                [
                                    "address": .string(try engine["AUTOGIT_SSH_HOST"]),
                                    "port": .number(Double(try engine["AUTOGIT_SSH_PORT"])!),
                                ]
                            ],
                            "user": .string(try engine["AUTOGIT_SSH_USER"]), "key_path": .string(try engine["AUTOGIT_SSH_KEY"]),
                            "known_hosts_file": .string(try engine["AUTOGIT_SSH_KNOWN_HOSTS"]), "strict_host_key_checking": "yes",
                            "remote_executable": .string(autogitBinary), "remote_log_dir": .string(scratch.path),
                            "agent_arguments": .array(try AutoscalingServer.agentArguments(in: scratch).map { .string($0) }),
                            "stop_timeout": 5, "command_timeout": 20, "gpu_count": 1,
                            // A classic key exchange: the default post-quantum one costs CPU that the 2-core machine shares.
                            "ssh_options": ["-o", "KexAlgorithms=curve25519-sha256"],
                        ],
                        policy: AutoscalingServer.policy)
                ]
            } cleanup: {
                TaggedProcesses.killAll(provider: "ssh-e2e")
            } _: { server in
                let instance = try await server.provisionsRunsAndScalesToZero(provider: "ssh-e2e")
                let pid = try #require(instance.split(separator: ":").last.flatMap { Int32($0) }, "the ssh instance id is HOST:PID")
                #expect(await eventually(every: .milliseconds(200)) { !TaggedProcesses.isAlive(pid) }, "the agent (pid \(pid)) still runs")
                #expect(TaggedProcesses.pids(provider: "ssh-e2e").isEmpty)
            }
        }
    }
}
