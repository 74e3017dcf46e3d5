import AutoGitClient
import AutoGitCore
import AutoGitFleeting
import AutoGitServer
import Foundation

/// The rounds against one server with one provider.
enum ScaleUpRun {
    static func measure(plugin: String, settings: JSONValue, scratch: URL, rounds: Int) async -> [ScaleUpRound] {
        var configuration = ServerConfiguration()
        configuration.rateLimits.enabled = false
        configuration.providers = [
            .init(
                name: "bench-\(plugin)", type: plugin, settings: settings,
                policy: ["min_idle": 0, "max_instances": 1, "idle_timeout": 1, "registration_timeout": 120])
        ]
        let directory = scratch.appendingPathComponent("data-\(plugin)").path
        let server = ReferenceServer(options: .quiet(dataDirectory: directory, configuration: configuration))
        do {
            try await server.start()
        } catch {
            print("\(plugin): the server did not start: \(error)")
            return []
        }
        let client = AutoGitClient(baseURL: server.baseURL, credentials: .bearer(server.adminToken ?? ""))
        let events = ScaleUpEvents(bus: server.eventBus)
        var results: [ScaleUpRound] = []
        do {
            guard try await waitUntil(seconds: 60, { try await client.providers.get("bench-\(plugin)").status == "ready" }) else {
                let provider = try await client.providers.get("bench-\(plugin)")
                print("\(plugin): the provider is \(provider.status ?? "?"): \(provider.message ?? "")")
                await stop(server, events)
                return []
            }
            for round in 1...rounds {
                guard try await waitUntil(seconds: 60, { try await client.providers.get("bench-\(plugin)").instances.isEmpty }) else {
                    print("\(plugin): round \(round): the previous instance did not go")
                    break
                }
                let start = Date()
                let job = try await client.jobs.submit(
                    JobSpec(
                        name: "scale-up-\(round)", steps: [JobStep(name: "hello", run: "echo first line")], timeout: 120,
                        requirements: JobRequirements(gpu: GPURequirement(count: 1))))
                var firstLine: Double?
                for try await entry in client.jobs.logs(job.id, follow: true) where entry.stream == .stdout {
                    firstLine = Date().timeIntervalSince(start)
                    break
                }
                guard let firstLine else {
                    print("\(plugin): round \(round): the job ended without output (\(try await client.jobs.get(job.id).status))")
                    break
                }
                _ = try await waitUntil(seconds: 60, { try await client.jobs.get(job.id).status.isFinal })
                let provisioned = events.first { $0.type == .runnerProvisioned && $0.timestamp >= start && $0.payload["provider"] != nil }
                let registered = events.first {
                    $0.type == .runnerStatusChanged && $0.timestamp >= start && $0.payload["old_status"]?.stringValue == "provisioning"
                }
                results.append(
                    ScaleUpRound(
                        provisioned: provisioned.map { $0.timestamp.timeIntervalSince(start) },
                        registered: registered.map { $0.timestamp.timeIntervalSince(start) }, firstLine: firstLine))
            }
        } catch {
            print("\(plugin): \(error)")
        }
        await stop(server, events)
        return results
    }

    private static func stop(_ server: ReferenceServer, _ events: ScaleUpEvents) async {
        events.stop()
        await server.shutdown()
    }

    /// Starts a private Slurm (or uses the one `environmentFile` describes), runs `body` with its variables, stops it.
    static func withSlurm(
        environmentFile: String?, scratch: URL, _ body: ([String: String]) async -> [ScaleUpRound]
    ) async -> [ScaleUpRound] {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let scripts = root.appendingPathComponent("Scripts/engines")
        let directory = scratch.appendingPathComponent("slurm").path
        var file = environmentFile
        if file == nil {
            let up = try? await CommandRunner.run(
                Command("/bin/bash", [scripts.appendingPathComponent("slurm-up.sh").path, directory], timeout: .seconds(90)))
            guard let up, up.succeeded else {
                print("slurm: the engine did not start: \(up.map { $0.output + $0.errorOutput } ?? "slurm-up.sh could not run")")
                return []
            }
            file = directory + "/slurm.env"
        }
        var values: [String: String] = [:]
        for line in ((try? String(contentsOfFile: file ?? "", encoding: .utf8)) ?? "").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        let result = await body(values)
        if environmentFile == nil {
            _ = try? await CommandRunner.run(
                Command("/bin/bash", [scripts.appendingPathComponent("slurm-down.sh").path, directory], timeout: .seconds(60)))
        }
        return result
    }

    static func waitUntil(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
