import AutoGitClient
import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Foundation
import Testing

extension ProvisioningEndToEndTests {
    @Suite("a provider that fails to provision")
    struct ProvisioningFailureTests {
        /// An exec plugin that starts fine and offers a GPU machine, lists nothing, and refuses every provision.
        static let refusingPlugin = """
            #!/bin/sh
            cat >/dev/null
            case "$AUTOGIT_PLUGIN_METHOD" in
            initialize) echo '{"protocol_version": 1, "result": {"name": "refusing", "version": "1", "offers": [{"id": "gpu1", "gpu_count": 1}]}}' ;;
            provision) echo 'quota check failed' >&2
                       echo '{"protocol_version": 1, "error": {"code": "PLUGIN_REJECTED", "message": "GPU quota exceeded in project test"}}' ;;
            list) echo '{"protocol_version": 1, "result": {"instances": []}}' ;;
            deprovision) echo '{"protocol_version": 1, "result": {"removed": []}}' ;;
            *) echo '{"protocol_version": 1, "result": {"state": "gone"}}' ;;
            esac

            """

        @Test(
            "an exec plugin that errors: the job stays queued with the provider's error as its reason, a system_alert is raised, and no runner is left"
        )
        func execPluginThatErrors() async throws {
            try await withAutoscalingServer(backoff: 300) { scratch in
                let plugin = try scratch.script("refusing-plugin.sh", Self.refusingPlugin)
                return [.init(name: "refusing", type: "exec", settings: ["executable": .string(plugin)], policy: AutoscalingServer.policy)]
            } _: { server in
                let job = try await server.submitGPUJob()
                let alert = await server.events.first(within: .seconds(30)) {
                    $0.type == .systemAlert && $0.payload["source"]?.stringValue == "refusing"
                }
                #expect(alert?.payload["level"]?.stringValue == "error", "no system_alert; server log:\n\(server.log)")
                #expect(alert?.payload["message"]?.stringValue?.contains("GPU quota exceeded in project test") == true)
                #expect(alert?.payload["details"]?["code"]?.stringValue == "PLUGIN_REJECTED")

                var reason = ""
                #expect(
                    try await eventually(every: .milliseconds(200)) {
                        reason = try await server.admin.jobs.get(job.id).statusReason ?? ""
                        return reason.contains("provider refusing failed: ") && reason.contains("GPU quota exceeded in project test")
                    }, "status_reason is '\(reason)'; server log:\n\(server.log)")
                #expect(reason.hasPrefix("waiting for capacity: "))
                #expect(try await server.admin.jobs.get(job.id).status == .queued)

                // Nothing leaks: no runner record, no instance, no runner_provisioned event.
                #expect(try await server.admin.runners.list().collect().isEmpty)
                let provider = try await server.admin.providers.get("refusing")
                #expect(provider.instances.isEmpty && provider.instanceCount == 0)
                #expect(provider.message?.contains("GPU quota exceeded in project test") == true)
                #expect(!server.events.all.contains { $0.type == .runnerProvisioned })
            }
        }

        @Test("a provider whose settings are wrong is shown in error, and the job waits with that reason instead of failing")
        func providerWithBadSettings() async throws {
            try await withAutoscalingServer { scratch in
                [
                    .init(
                        name: "misconfigured", type: "slurm",
                        settings: [
                            "slurm_conf": .string(scratch.file("no-such-slurm.conf")), "bin_dir": .string(scratch.file("no-slurm-here")),
                        ],
                        policy: AutoscalingServer.policy)
                ]
            } _: { server in
                let job = try await server.submitGPUJob()
                #expect(
                    try await eventually(every: .milliseconds(200)) {
                        try await server.admin.providers.get("misconfigured").status == "error"
                    }, "\(server.log)")
                let provider = try await server.admin.providers.get("misconfigured")
                #expect(provider.message?.isEmpty == false)
                let alert = await server.events.first { $0.type == .systemAlert && $0.payload["source"]?.stringValue == "misconfigured" }
                #expect(alert != nil, "no system_alert for a provider that cannot start")

                var reason = ""
                #expect(
                    try await eventually(every: .milliseconds(200)) {
                        reason = try await server.admin.jobs.get(job.id).statusReason ?? ""
                        return reason.contains("provider misconfigured is unavailable")
                    }, "status_reason is '\(reason)'")
                #expect(try await server.admin.jobs.get(job.id).status == .queued)
                #expect(try await server.admin.runners.list().collect().isEmpty)
            }
        }
    }
}
