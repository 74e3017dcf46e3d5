import AutoGitCore
import Foundation
import Testing

@Suite("Providers and autoscaling in the server configuration")
struct ProviderConfigurationTests {
    @Test("a provider's policy is read with its defaults; stop_on_shutdown defaults to yes for local only")
    func policyAndDefaults() throws {
        let configuration = try ServerConfiguration().validated(mergePatch: [
            "providers": [
                ["name": "laptop", "type": "local"],
                [
                    "name": "slurm-a100", "type": "slurm", "settings": ["partition": "gpu"],
                    "policy": [
                        "max_instances": 8, "idle_timeout": 120, "labels": ["cuda"], "windows": [["days": [1, 2], "min_idle": 2]],
                    ],
                    "stop_on_shutdown": true,
                ],
            ],
            "autoscaling": ["interval_seconds": 2.5],
        ])
        let laptop = configuration.providers[0]
        let slurm = configuration.providers[1]
        #expect(try laptop.autoscalingPolicy() == AutoscalingPolicy())
        #expect(laptop.stopsOnShutdown && slurm.stopsOnShutdown)
        #expect(!ServerConfiguration.ProviderEntry(name: "x", type: "ssh").stopsOnShutdown)
        let policy = try slurm.autoscalingPolicy()
        #expect(policy.maxInstances == 8 && policy.idleTimeout == 120 && policy.labels == ["cuda"] && policy.minIdle == 0)
        #expect(policy.windows.first?.minIdle == 2)
        #expect(configuration.autoscaling.intervalSeconds == 2.5)
        #expect(configuration.autoscaling.reconcileIntervalSeconds == ServerConfiguration.Autoscaling().reconcileIntervalSeconds)
    }

    static let badPatches: [(patch: JSONValue, field: String)] = [
        (["providers": [["name": "a", "type": "local", "policy": ["max_instances": -1]]]], "providers[0].policy.max_instances"),
        (["providers": [["name": "a", "type": "local", "policy": ["idle_count": 2]]]], "providers[0].policy.idle_count"),
        (
            ["providers": [["name": "a", "type": "local", "policy": ["capacity_per_instance": 0]]]],
            "providers[0].policy.capacity_per_instance"
        ),
        (
            ["providers": [["name": "a", "type": "local", "policy": ["windows": [["days": [8]]]]]]],
            "providers[0].policy.windows[0].days[0]"
        ),
        (["providers": [["name": "a", "type": "local", "policy": ["time_zone": "Mars/Olympus"]]]], "providers[0].policy.time_zone"),
        (["providers": [["name": "has space", "type": "local"]]], "providers[0].name"),
        (["providers": [["name": "a"]]], "providers[0].type"),
        (["providers": [["name": "a", "type": "local", "stop_on_shutdown": "yes"]]], "providers[0].stop_on_shutdown"),
        (["autoscaling": ["interval_seconds": 0]], "autoscaling.interval_seconds"),
        (["autoscaling": ["failure_backoff_seconds": -1]], "autoscaling.failure_backoff_seconds"),
    ]

    @Test("a bad provider or autoscaling setting names the field", arguments: badPatches)
    func badPatch(patch: JSONValue, field: String) {
        #expect {
            _ = try ServerConfiguration().validated(mergePatch: patch)
        } throws: { error in
            (error as? CoreError)?.field == field
        }
    }

    @Test("the configuration with providers round-trips through JSON and still satisfies its schema")
    func roundTrip() throws {
        let configuration = ServerConfiguration(
            providers: [
                .init(name: "k8s", type: "exec", settings: ["executable": "/opt/k8s"], policy: ["min_idle": 1], stopOnShutdown: false)
            ],
            autoscaling: .init(intervalSeconds: 5, reconcileIntervalSeconds: 30, failureBackoffSeconds: 10))
        let document = try JSONValue(encoding: configuration)
        try JSONSchemaValidator.validate(document, against: ServerConfiguration.jsonSchema)
        #expect(try document.decode(as: ServerConfiguration.self) == configuration)
    }
}
