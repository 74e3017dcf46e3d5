import Foundation
import Testing

@testable import AutoGitCore

@Suite("fleeting plugin models")
struct FleetingModelTests {
    @Test("instances, connect info and provider info round-trip through snake_case JSON")
    func roundTrip() throws {
        let instance = FleetingInstance(
            id: "4242", state: .creating, runnerName: "slurm-a100-1",
            shape: ProvisionShape(offerID: "a100x2", gpuType: "a100", gpuCount: 2, labels: ["cuda"]),
            metadata: ["partition": "gpu"])
        let data = try AutoGitJSON.encode(instance)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"runner_name\":\"slurm-a100-1\""))
        #expect(text.contains("\"offer_id\":\"a100x2\""))
        #expect(try AutoGitJSON.decode(FleetingInstance.self, from: data) == instance)

        let info = ProviderInfo(
            name: "slurm", version: "1", maxInstances: 4, capabilities: [.reportsPreemption],
            offers: [Offer(id: "a100x2", gpuType: "a100", gpuCount: 2, hourlyPrice: 3.2)])
        let decoded = try AutoGitJSON.decode(ProviderInfo.self, from: AutoGitJSON.encode(info))
        #expect(decoded == info)

        let connect = try AutoGitJSON.decode(
            ConnectInfo.self, from: Data(#"{"protocol":"ssh","address":"10.0.0.2","port":22,"key_reference":"~/.ssh/id"}"#.utf8))
        #expect(connect.transport == "ssh" && connect.keyReference == "~/.ssh/id" && connect.metadata.isEmpty)
    }

    @Test("unknown states and capabilities survive decoding")
    func extensible() throws {
        let state = try AutoGitJSON.decode(FleetingInstanceState.self, from: Data(#""hibernating""#.utf8))
        #expect(state == .unknown("hibernating") && !state.isAlive)
        #expect(FleetingInstanceState.creating.isAlive && FleetingInstanceState.running.isAlive)
        #expect(!FleetingInstanceState.preempted.isAlive)
    }

    @Test("the agent command line carries server, token, name and every label")
    func agentArguments() {
        let launch = AgentLaunch(serverURL: "http://127.0.0.1:8080", registrationToken: "agt_x", labels: ["fleet"])
        let arguments = launch.arguments(
            runnerName: "local-3", shape: ProvisionShape(gpuCount: 1, labels: ["cuda"]), extra: ["--concurrency", "2"])
        #expect(
            arguments == [
                "runner", "--server", "http://127.0.0.1:8080", "--registration-token", "agt_x", "--name", "local-3",
                "--labels", "fleet,cuda", "--concurrency", "2",
            ])
    }

    @Test("settings accessors read strings, whole numbers, booleans and string arrays")
    func settings() {
        let settings = PluginSettings(
            providerName: "p",
            settings: ["partition": "gpu", "max": 4, "ratio": 0.5, "strict": true, "hosts": ["a", "b"]],
            agent: AgentLaunch(serverURL: "u", registrationToken: "t"))
        #expect(settings.string("partition") == "gpu")
        #expect(settings.int("max") == 4)
        #expect(settings.int("ratio") == nil)
        #expect(settings.bool("strict") == true)
        #expect(settings.strings("hosts") == ["a", "b"])
        #expect(settings.string("missing") == nil)
    }
}
