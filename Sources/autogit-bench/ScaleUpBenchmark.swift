import AutoGitCore
import Foundation

/// `autogit-bench scaleup [--rounds N] [--plugins local,slurm] [--agent PATH] [--slurm-env FILE]`: scale-up latency,
/// from a one-GPU job submitted to a server with no runner to the first line of its output reaching a client that
/// follows the job's log, through the `local` plugin and through Slurm.
///
/// Each round starts from zero instances: the server (in this process, release build) provisions one instance for
/// the job, the agent (the release `autogit` binary beside this one, with a fake one-GPU inventory) registers, takes
/// the job and runs its step, and the client receives the step's output line over `GET /v1/jobs/{id}/logs?follow`.
/// Then the instance is left to go after its 1 s idle timeout before the next round. The breakdown says when the
/// instance was created (`runner_provisioned`) and when its agent registered (`provisioning → idle`), measured from
/// the submission.
///
/// Slurm runs on a private single-node cluster started with `Scripts/engines/slurm-up.sh` (root and Debian's Slurm
/// packages needed), or the one an env file names (`--slurm-env`, as `slurm-up.sh` writes it). Build the agent
/// first: `swift build -c release`.
func scaleUpBenchmark(_ arguments: [String]) async -> Int32 {
    var rounds = 5
    var plugins = ["local", "slurm"]
    var agent = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("autogit").path
    #if os(Linux)
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        agent = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("autogit").path
    }
    #endif
    var slurmEnvironment: String?
    var index = 0
    while index < arguments.count {
        let value = index + 1 < arguments.count ? arguments[index + 1] : ""
        switch arguments[index] {
        case "--rounds": rounds = max(1, Int(value) ?? rounds)
        case "--plugins": plugins = value.split(separator: ",").map(String.init)
        case "--agent": agent = value
        case "--slurm-env": slurmEnvironment = value
        default:
            print(
                "unknown option \(arguments[index]); usage: autogit-bench scaleup [--rounds N] [--plugins local,slurm] [--agent PATH] [--slurm-env FILE]"
            )
            return 2
        }
        index += 2
    }
    guard FileManager.default.isExecutableFile(atPath: agent) else {
        print("the agent binary \(agent) is missing: build it first (swift build -c release), or name it with --agent")
        return 1
    }
    let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("autogit-scaleup-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: scratch) }
    do {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path)
        let inventory = #"[{"index": 0, "model": "NVIDIA A100-SXM4-80GB", "memory_total_mb": 81920}]"#
        try Data(inventory.utf8).write(to: scratch.appendingPathComponent("gpus.json"))
    } catch {
        print("cannot prepare \(scratch.path): \(error)")
        return 1
    }
    let agentArguments: JSONValue = [
        "--gpu-inventory", .string(scratch.appendingPathComponent("gpus.json").path), "--work-dir",
        .string(scratch.appendingPathComponent("work").path),
    ]
    print("scale-up latency: a one-GPU job submitted with no runner → its first output line at a following client; \(rounds) rounds")
    var status: Int32 = 0
    for plugin in plugins {
        let result: [ScaleUpRound]
        switch plugin {
        case "local":
            let settings: JSONValue = [
                "executable": .string(agent), "agent_arguments": agentArguments, "gpu_count": 1,
                "log_dir": .string(scratch.appendingPathComponent("agents").path),
            ]
            result = await ScaleUpRun.measure(plugin: "local", settings: settings, scratch: scratch, rounds: rounds)
        case "slurm":
            result = await ScaleUpRun.withSlurm(environmentFile: slurmEnvironment, scratch: scratch) { values in
                let settings: JSONValue = [
                    "slurm_conf": .string(values["SLURM_CONF"] ?? ""), "partition": .string(values["AUTOGIT_SLURM_PARTITION"] ?? "debug"),
                    "executable": .string(agent), "agent_arguments": agentArguments, "time_limit": 10,
                    "output": .string(scratch.appendingPathComponent("%x-%j.log").path),
                    "offers": [["id": "fake1", "gpu_count": 1]],
                ]
                return await ScaleUpRun.measure(plugin: "slurm", settings: settings, scratch: scratch, rounds: rounds)
            }
        default:
            print("unknown plugin \(plugin) (local or slurm)")
            return 2
        }
        guard !result.isEmpty else {
            status = 1
            continue
        }
        ScaleUpRound.report(plugin, result)
    }
    return status
}
