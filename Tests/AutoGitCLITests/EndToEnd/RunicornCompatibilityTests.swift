import AutoGitClient
import AutoGitCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real Runicorn viewer (`pip install runicorn`), started for the suite by `Scripts/runicorn-up.sh` with a storage
/// seeded by Runicorn's own SDK (`Scripts/runicorn-seed.py`), and stopped afterwards even when tests fail.
///
/// Outside CI the suite is skipped when Runicorn is not installed; in CI (`CI=true` or `AUTOGIT_REQUIRE_ENGINES=1`)
/// it runs regardless, so a Runicorn that cannot start fails it. `AUTOGIT_RUNICORN_ENV` names the env file of a
/// viewer started by hand, to reuse it.
struct RunicornViewer: Sendable {
    var url: URL
    var baseline: String
    var highLR: String
    var nlp: String

    @TaskLocal static var current: RunicornViewer?

    static var isRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["CI"] == "true" || environment["AUTOGIT_REQUIRE_ENGINES"] == "1"
    }

    /// Whether Runicorn's command is on the PATH (a file check: nothing is run to find out).
    static var isInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/runicorn") }
    }

    static let scripts: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Scripts").path
    }()

    init(envFile: String) throws {
        let text = try String(contentsOfFile: envFile, encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let url = values["RUNICORN_URL"].flatMap(URL.init(string:)), let baseline = values["RUNICORN_RUN_BASELINE"],
            let highLR = values["RUNICORN_RUN_HIGH_LR"], let nlp = values["RUNICORN_RUN_NLP"]
        else { throw ServeError("\(envFile) lacks the viewer's URL or run ids: \(text)") }
        self.init(url: url, baseline: baseline, highLR: highLR, nlp: nlp)
    }

    private init(url: URL, baseline: String, highLR: String, nlp: String) {
        self.url = url
        self.baseline = baseline
        self.highLR = highLR
        self.nlp = nlp
    }

    static func inScope() throws -> RunicornViewer {
        guard let current else { throw ServeError("no Runicorn viewer in scope: the suite needs the .runicornViewer trait") }
        return current
    }
}

/// Starts the viewer before the suite and stops it after.
struct RunicornViewerTrait: SuiteTrait, TestScoping {
    func scopeProvider(for test: Test, testCase: Test.Case?) -> RunicornViewerTrait? { test.isSuite ? self : nil }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if let file = ProcessInfo.processInfo.environment["AUTOGIT_RUNICORN_ENV"] {
            try await RunicornViewer.$current.withValue(RunicornViewer(envFile: file), operation: function)
            return
        }
        let directory = NSTemporaryDirectory() + "/autogit-runicorn-\(UUID().uuidString.prefix(8))"
        let up = try await Self.script("runicorn-up.sh", directory, timeLimit: .seconds(120))
        guard up.status == 0 else {
            _ = try? await Self.script("runicorn-down.sh", directory, timeLimit: .seconds(30))
            throw ServeError("the Runicorn viewer did not start (exit \(up.status)): \(up.output)")
        }
        do {
            try await RunicornViewer.$current.withValue(RunicornViewer(envFile: directory + "/runicorn.env"), operation: function)
        } catch {
            _ = try? await Self.script("runicorn-down.sh", directory, timeLimit: .seconds(30))
            throw error
        }
        _ = try? await Self.script("runicorn-down.sh", directory, timeLimit: .seconds(30))
    }

    /// Runs a script of `Scripts/` with its output in a file (no pipe a stray grandchild could hold open), killed
    /// after `timeLimit`; its exit is awaited without blocking a thread.
    static func script(_ name: String, _ directory: String, timeLimit: Duration) async throws -> (status: Int32, output: String) {
        let log = NSTemporaryDirectory() + "/autogit-runicorn-script-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["\(RunicornViewer.scripts)/\(name)", directory]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(timeLimit.components.seconds)) {
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        try? output.close()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}

extension Trait where Self == RunicornViewerTrait {
    static var runicornViewer: Self { RunicornViewerTrait() }
}

@Suite(
    "The SDK and the CLI against a real Runicorn viewer", .serialized, .timeLimit(.minutes(3)), .runicornViewer,
    .enabled(
        if: RunicornViewer.isRequired || RunicornViewer.isInstalled,
        "Runicorn is not installed (python3 -m pip install runicorn); CI runs these tests"))
struct RunicornCompatibilityTests {
    func client(_ kind: ServerKind = .automatic) throws -> AutoGitClient {
        AutoGitClient(baseURL: try RunicornViewer.inScope().url, configuration: .init(serverKind: kind))
    }

    @Test("the server kind is detected from its health endpoint, and the same calls list its runs")
    func listRuns() async throws {
        let viewer = try RunicornViewer.inScope()
        let client = try client()
        #expect(try await client.detectServerKind() == .runicorn)

        let runs = try await client.experiments.runs().collect()
        #expect(Set(runs.map(\.id)) == [viewer.baseline, viewer.highLR, viewer.nlp])
        let vision = try await self.client().experiments.runs(project: "vision").collect()
        #expect(Set(vision.map(\.name)) == ["baseline", "high-lr"])
        #expect(vision.allSatisfy { $0.status == .finished && $0.project == "vision" })
        let failed = try await client.experiments.runs(status: .failed).collect()
        #expect(failed.map(\.id) == [viewer.nlp])
        #expect(failed.first?.name == viewer.nlp, "a run without alias or sub-path is named by its id")
        let page = try await client.experiments.runsPage(limit: 2)
        #expect(page.items.count == 2 && page.totalCount == 3 && page.hasMore)

        let projects = try await client.experiments.projects().collect()
        #expect(projects.map(\.name) == ["nlp", "vision"] && projects.map(\.runCount) == [1, 2])
    }

    @Test("a run's details bring its config as params and its summary")
    func readRun() async throws {
        let viewer = try RunicornViewer.inScope()
        let client = try client(.runicorn)
        let run = try await client.experiments.run(viewer.baseline)
        #expect(run.project == "vision" && run.name == "baseline" && run.status == .finished)
        #expect(run.params == ["lr": 0.001, "batch_size": 32])
        #expect(run.summary["final_loss"] == 0.02)
        #expect(run.createdAt.timeIntervalSinceNow > -3600)
        await #expect {
            _ = try await client.experiments.run("20000101_000000_abcdef")
        } throws: { ($0 as? AutoGitError)?.code == .runNotFound }
    }

    @Test("step metrics are read by key, from a step on, and downsampled with the spike kept")
    func readMetrics() async throws {
        let viewer = try RunicornViewer.inScope()
        let client = try client()
        let loss = try await client.experiments.metrics(viewer.baseline, key: "loss")
        #expect(loss.points.map(\.step) == Array(0..<100))
        #expect(loss.points.first?.value == 2.0 && loss.points[70].value == 5.0)
        #expect(loss.points.allSatisfy { $0.timestamp != nil })
        let small = try await client.experiments.metrics(viewer.baseline, key: "loss", maxPoints: 12)
        #expect(small.downsampled && small.totalPoints == 100 && small.points.count <= 12)
        #expect(small.points.contains { $0.step == 70 && $0.value == 5.0 })
        let tail = try await client.experiments.metrics(viewer.baseline, key: "acc", sinceStep: 95)
        #expect(tail.points.map(\.step) == [95, 96, 97, 98, 99])
        #expect(try await client.experiments.metrics(viewer.nlp, key: "acc").points.isEmpty)

        let comparison = try await client.experiments.compare(
            ComparisonRequest(runIDs: [viewer.highLR, viewer.baseline], metric: "loss", mode: .min))
        #expect(comparison.bestPerformer == viewer.baseline)
        #expect(comparison.params["lr"] == [0.01, 0.001])
    }

    @Test("writes the viewer does not offer fail NOT_SUPPORTED; renaming, re-tagging, trash and restore use its own calls")
    func writes() async throws {
        let viewer = try RunicornViewer.inScope()
        let client = try client()
        let notSupported = { (error: any Error) -> Bool in
            let error = error as? AutoGitError
            return error?.code == .notSupported && error?.message.contains("not supported by this server") == true
        }
        await #expect(performing: { _ = try await client.experiments.createRun(RunCreateRequest(project: "x")) }, throws: notSupported)
        await #expect(
            performing: { try await client.experiments.logMetrics(viewer.nlp, [MetricPoint(key: "loss", step: 1, value: 1)]) },
            throws: notSupported)
        await #expect(
            performing: { try await client.experiments.updateRun(viewer.nlp, RunUpdate(status: .finished)) }, throws: notSupported)
        await #expect(performing: { _ = try await client.experiments.artifactsPage() }, throws: notSupported)
        await #expect(performing: { _ = try await client.experiments.createProject(named: "x") }, throws: notSupported)

        let renamed = try await client.experiments.updateRun(viewer.nlp, RunUpdate(name: "tokenizer", tags: ["ablation"]))
        #expect(renamed.name == "tokenizer" && renamed.tags == ["ablation"])
        #expect(try await client.experiments.runs(tags: ["ablation"]).collect().map(\.id) == [viewer.nlp])

        let trashed = try #require(try await client.experiments.deleteRun(viewer.nlp))
        #expect(trashed.isDeleted && trashed.status == .failed)
        #expect(try await client.experiments.runs().collect().count == 2)
        #expect(try await client.experiments.runs(includeDeleted: true).collect().count == 3)
        let restored = try await client.experiments.restoreRun(viewer.nlp)
        #expect(!restored.isDeleted)
        await #expect {
            _ = try await client.experiments.restoreRun(viewer.nlp)
        } throws: { ($0 as? AutoGitError)?.code == .conflict }
    }

    @Test("autogit experiments runs list and metrics print tables with --server pointing at the viewer")
    func cli() async throws {
        let viewer = try RunicornViewer.inScope()
        let home = NSTemporaryDirectory() + "/autogit-runicorn-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = ["HOME": home, "XDG_CONFIG_HOME": home, "NO_COLOR": "1", "COLUMNS": "200"]
        let server = viewer.url.absoluteString

        let list = try await ShellProcess.run(
            binaryPath, ["experiments", "runs", "list", "--server", server], environment: environment, timeLimit: .seconds(30))
        #expect(list.status == 0, "\(list.error)")
        let lines = list.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("PROJECT") == true && lines.first?.contains("STATUS") == true)
        #expect(lines.count == 4, "\(list.output)")
        #expect(
            lines.contains { $0.contains(viewer.baseline) && $0.contains("vision") && $0.contains("baseline") && $0.contains("finished") })
        #expect(lines.contains { $0.contains(viewer.highLR) && $0.contains("high-lr") })

        let filtered = try await ShellProcess.run(
            binaryPath, ["experiments", "runs", "list", "--project", "vision", "-o", "json", "--server", server], environment: environment,
            timeLimit: .seconds(30))
        let json = try AutoGitJSON.decode(JSONValue.self, from: Data(filtered.output.utf8))
        #expect(json["total_count"]?.intValue == 2)

        let metrics = try await ShellProcess.run(
            binaryPath, ["experiments", "metrics", viewer.baseline, "--key", "loss", "--max-points", "10", "--server", server],
            environment: environment, timeLimit: .seconds(30))
        #expect(metrics.status == 0, "\(metrics.error)")
        let rows = metrics.output.split(separator: "\n").map(String.init)
        #expect(rows.first?.contains("STEP") == true && rows.first?.contains("VALUE") == true)
        #expect(rows.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("70 ") && $0.contains(" 5 ") })
        #expect(rows.count <= 11)

        let plot = try await ShellProcess.run(
            binaryPath, ["experiments", "metrics", viewer.baseline, "--key", "loss", "--plot", "--server", server],
            environment: environment, timeLimit: .seconds(30))
        #expect(plot.status == 0 && plot.output.contains("loss of \(viewer.baseline)"))
    }
}
