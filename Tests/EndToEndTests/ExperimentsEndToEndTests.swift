import AutoGitClient
import AutoGitCore
import AutoGitServer
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The experiments and artifacts groups through the SDK against a real server on loopback.
@Suite("SDK end to end: experiment runs, metrics, comparison and artifacts", .timeLimit(.minutes(3)))
struct ExperimentsEndToEndTests {
    @Test("runs are created, filtered, paged, patched, moved to the trash, restored and purged")
    func runLifecycle() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            let first = try await client.experiments.createRun(
                RunCreateRequest(project: "vision", name: "resnet-lr3e-4", params: ["lr": 0.0003], tags: ["baseline"]))
            #expect(first.status == .running)
            #expect(first.id.count == 22, "ids look like 20240115_103000_a1b2c3: \(first.id)")
            let second = try await client.experiments.createRun(RunCreateRequest(project: "vision", tags: ["baseline", "big"]))
            _ = try await client.experiments.createRun(RunCreateRequest(project: "nlp"))
            #expect(second.name == second.id)

            let vision = try await client.experiments.runs(project: "vision").collect()
            #expect(Set(vision.map(\.id)) == [first.id, second.id])
            #expect(try await client.experiments.runs(tags: ["baseline", "big"]).collect().map(\.id) == [second.id])
            let page = try await client.experiments.runsPage(limit: 2)
            #expect(page.items.count == 2 && page.totalCount == 3 && page.hasMore)
            let projects = try await client.experiments.projects().collect()
            #expect(projects.map(\.name) == ["nlp", "vision"])
            #expect(projects.map(\.runCount) == [1, 2])
            await #expect {
                _ = try await client.experiments.createProject(named: "vision")
            } throws: { ($0 as? AutoGitError)?.code == .conflict }

            let patched = try await client.experiments.updateRun(
                first.id, RunUpdate(name: "renamed", status: .finished, tags: ["best"], params: ["epochs": 3], summary: ["loss": 0.2]))
            #expect(patched.name == "renamed" && patched.status == .finished && patched.tags == ["best"])
            #expect(patched.params == ["lr": 0.0003, "epochs": 3])
            #expect(try await client.experiments.runs(status: .finished).collect().map(\.id) == [first.id])
            await #expect {
                try await client.experiments.updateRun(first.id, RunUpdate(name: " "))
            } throws: { ($0 as? AutoGitError)?.details?["field"] == "name" }

            let trashed = try #require(try await client.experiments.deleteRun(second.id))
            #expect(trashed.isDeleted)
            #expect(try await client.experiments.runs(project: "vision").collect().map(\.id) == [first.id])
            #expect(try await client.experiments.runs(project: "vision", includeDeleted: true).collect().count == 2)
            #expect(try await client.experiments.run(second.id).isDeleted, "a run in the trash is still readable")
            #expect(try await client.experiments.restoreRun(second.id).deletedAt == nil)
            await #expect {
                try await client.experiments.restoreRun(second.id)
            } throws: { ($0 as? AutoGitError)?.code == .conflict }

            try await client.experiments.logMetrics(second.id, [MetricPoint(key: "loss", step: 0, value: 1)])
            #expect(try await client.experiments.deleteRun(second.id, permanent: true) == nil)
            await #expect {
                _ = try await client.experiments.run(second.id)
            } throws: { ($0 as? AutoGitError)?.code == .runNotFound }
            await #expect {
                _ = try await client.experiments.metrics(second.id, key: "loss")
            } throws: { ($0 as? AutoGitError)?.code == .runNotFound }
        }
    }

    @Test("100,000 points appended in batches read back downsampled with their extremes, and from a step on")
    func manyPoints() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            let run = try await client.experiments.createRun(RunCreateRequest(project: "long"))
            let total = 100_000
            let batch = 10_000
            for start in stride(from: 0, to: total, by: batch) {
                let points = (start..<start + batch).map { step in
                    // A smooth curve with one spike up and one dip down that a chart must not lose.
                    let value = step == 61_234 ? 50.0 : step == 77_777 ? -40.0 : 1.0 / Double(step + 1)
                    return MetricPoint(key: "loss", step: step, value: value)
                }
                try await client.experiments.logMetrics(run.id, points)
            }
            let series = try await client.experiments.metrics(run.id, key: "loss", maxPoints: 500)
            #expect(series.downsampled)
            #expect(series.totalPoints == total)
            #expect(series.points.count <= 500)
            #expect(series.points.first?.step == 0 && series.points.last?.step == total - 1)
            #expect(series.points.contains { $0.step == 61_234 && $0.value == 50 }, "the spike is kept")
            #expect(series.points.contains { $0.step == 77_777 && $0.value == -40 }, "the dip is kept")
            #expect(zip(series.points, series.points.dropFirst()).allSatisfy { $0.step < $1.step })

            let tail = try await client.experiments.metrics(run.id, key: "loss", sinceStep: 99_990, maxPoints: 100)
            #expect(tail.points.map(\.step) == Array(99_990..<total))
            #expect(!tail.downsampled)

            // Logging a step again replaces its value.
            try await client.experiments.logMetrics(run.id, [MetricPoint(key: "loss", step: 99_999, value: 7)])
            let replaced = try await client.experiments.metrics(run.id, key: "loss", sinceStep: 99_999)
            #expect(replaced.points.map(\.value) == [7])
            #expect(try await client.experiments.metrics(run.id, key: "nothing").points.isEmpty)
        }
    }

    @Test("runs and metric series survive a server restart")
    func persistence() async throws {
        let directory = NSTemporaryDirectory() + "/autogit-experiments-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = ReferenceServer(options: .quiet(dataDirectory: directory, configuration: EmbeddedServer.testConfiguration))
        try await first.start()
        let token = try #require(first.adminToken)
        let run: ExperimentRun
        let version: ArtifactVersion
        do {
            let client = AutoGitClient(baseURL: first.baseURL, credentials: .bearer(token))
            run = try await client.experiments.createRun(RunCreateRequest(project: "durable", params: ["seed": 7]))
            try await client.experiments.logMetrics(run.id, (0..<50).map { MetricPoint(key: "acc", step: $0, value: Double($0) / 50) })
            try await client.experiments.updateRun(run.id, RunUpdate(status: .finished))
            version = try await client.experiments.uploadVersion(of: "weights", content: Data("tensor bytes".utf8), aliases: ["best"])
            await first.shutdown()
        } catch {
            await first.shutdown()
            throw error
        }
        let second = ReferenceServer(options: .quiet(dataDirectory: directory, configuration: EmbeddedServer.testConfiguration))
        try await second.start()
        do {
            let client = AutoGitClient(baseURL: second.baseURL, credentials: .bearer(token))
            let again = try await client.experiments.run(run.id)
            #expect(again.status == .finished && again.params == ["seed": 7])
            let series = try await client.experiments.metrics(run.id, key: "acc")
            #expect(series.points.count == 50 && series.points.last?.value == 49.0 / 50)
            let best = try await client.experiments.download("weights", version: "best")
            #expect(String(decoding: best.content, as: UTF8.self) == "tensor bytes")
            #expect(best.etag == "\"\(version.sha256)\"")
            await second.shutdown()
        } catch {
            await second.shutdown()
            throw error
        }
    }

    @Test("compare aligns the series, puts params side by side and picks the best run by min and by max")
    func compare() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            var ids: [String] = []
            for (lr, finalLoss, finalAccuracy) in [(0.1, 0.40, 0.80), (0.01, 0.15, 0.85), (0.001, 0.30, 0.92)] {
                let run = try await client.experiments.createRun(RunCreateRequest(project: "sweep", params: ["lr": .number(lr)]))
                ids.append(run.id)
                try await client.experiments.logMetrics(
                    run.id,
                    [
                        MetricPoint(key: "loss", step: 0, value: 2.0), MetricPoint(key: "loss", step: 10, value: finalLoss),
                        MetricPoint(key: "accuracy", step: 10, value: finalAccuracy),
                    ])
            }
            // The third run also logged at a step the others did not.
            try await client.experiments.logMetrics(ids[2], [MetricPoint(key: "loss", step: 5, value: 1.0)])

            let byLoss = try await client.experiments.compare(ComparisonRequest(runIDs: ids, metric: "loss", mode: .min))
            #expect(byLoss.bestPerformer == ids[1])
            #expect(byLoss.metrics["loss"] == [0.40, 0.15, 0.30])
            #expect(byLoss.series["loss"]?.steps == [0, 5, 10])
            #expect(byLoss.series["loss"]?.values[0] == [2.0, nil, 0.40])
            #expect(byLoss.params["lr"] == [0.1, 0.01, 0.001])
            let byAccuracy = try await client.experiments.compare(ComparisonRequest(runIDs: ids, metric: "accuracy", mode: .max))
            #expect(byAccuracy.bestPerformer == ids[2])
            await #expect {
                _ = try await client.experiments.compare(ComparisonRequest(runIDs: [ids[0], "20000101_000000_ffffff"], metric: "loss"))
            } throws: { error in
                let error = error as? AutoGitError
                return error?.code == .runNotFound && error?.details?["run_id"] == "20000101_000000_ffffff"
            }
        }
    }

    @Test("a viewer reads runs but cannot write them; a runner token writes only to the runs of its own jobs")
    func access() async throws {
        try await withEmbeddedServer { server in
            let viewerToken = try await server.admin.tokens.create(name: "viewer", role: .viewer)
            let viewer = server.client(.bearer(viewerToken.token ?? ""))
            let (holder, holderAgent) = try await server.registerAgent("holder")
            let (_, strangerAgent) = try await server.registerAgent("stranger")
            let job = try await server.admin.jobs.submit(
                JobSpec(name: "train", steps: [JobStep(name: "s", run: "true")], experiment: JobExperiment(project: "access")))
            let runID = try #require(job.spec.experiment?.runID)
            _ = try #require(try await holderAgent.runners.requestJob(holder.id, wait: 5))

            #expect(try await viewer.experiments.run(runID).jobID == job.id)
            await #expect {
                try await viewer.experiments.logMetrics(runID, [MetricPoint(key: "loss", step: 0, value: 1)])
            } throws: { ($0 as? AutoGitError)?.status == 403 }
            await #expect {
                try await strangerAgent.experiments.logMetrics(runID, [MetricPoint(key: "loss", step: 0, value: 1)])
            } throws: { ($0 as? AutoGitError)?.status == 403 }
            try await holderAgent.experiments.logMetrics(runID, [MetricPoint(key: "loss", step: 0, value: 1)])
            try await holderAgent.experiments.updateRun(runID, RunUpdate(summary: ["note": "from the agent"]))
            let other = try await server.admin.experiments.createRun(RunCreateRequest(project: "access"))
            await #expect {
                try await holderAgent.experiments.logMetrics(other.id, [MetricPoint(key: "loss", step: 0, value: 1)])
            } throws: { ($0 as? AutoGitError)?.status == 403 }
            await #expect {
                _ = try await holderAgent.experiments.runsPage()
            } throws: { ($0 as? AutoGitError)?.status == 403 }
            #expect(try await server.admin.experiments.metrics(runID, key: "loss").points.count == 1)
        }
    }

    @Test("a job attached to a run gives it its final status, its duration and its cost at the provider's price")
    func jobOutcomeAndCost() async throws {
        var configuration = EmbeddedServer.testConfiguration
        configuration.providers = [
            ServerConfiguration.ProviderEntry(
                name: "cloud", type: "exec",
                settings: ["offers": [["id": "a100x1", "gpu_type": "a100", "gpu_count": 1, "hourly_price": 3.6, "currency": "EUR"]]])
        ]
        try await withEmbeddedServer(configuration: configuration) { server in
            let client = server.admin
            let existing = try await client.experiments.createRun(RunCreateRequest(project: "costs", params: ["lr": 0.1]))
            let (priced, agent) = try await server.registerAgent("priced", gpus: [EmbeddedServer.gpu(0)], provider: "cloud")

            let job = try await client.jobs.submit(
                JobSpec(
                    name: "priced-job", steps: [JobStep(name: "s", run: "true")],
                    experiment: JobExperiment(runID: existing.id, params: ["batch": 32])))
            #expect(job.spec.experiment?.runID == existing.id)
            #expect(try await client.experiments.run(existing.id).params == ["lr": 0.1, "batch": 32])
            _ = try #require(try await agent.runners.requestJob(priced.id, wait: 5))
            _ = try await agent.jobs.update(job.id, JobUpdate(status: .running))
            try await Task.sleep(for: .milliseconds(300))
            let finished = try await agent.jobs.update(job.id, JobUpdate(status: .succeeded, exitCode: 0))
            let duration = try #require(finished.duration)

            let run = try await eventually { () async throws -> ExperimentRun? in
                let run = try await client.experiments.run(existing.id)
                return run.status == .finished && run.cost != nil ? run : nil
            }
            #expect(run.jobID == job.id)
            #expect(run.currency == "EUR")
            #expect(abs((run.cost ?? 0) - 3.6 * duration / 3600) < 0.00001)
            #expect(run.summary["job_status"] == "succeeded")

            let failing = try await client.jobs.submit(
                JobSpec(name: "failing", steps: [JobStep(name: "s", run: "false")], experiment: JobExperiment(project: "costs")))
            let failingRun = try #require(failing.spec.experiment?.runID)
            _ = try #require(try await agent.runners.requestJob(priced.id, wait: 5))
            _ = try await agent.jobs.update(failing.id, JobUpdate(status: .failed, exitCode: 1))
            let failed = try await eventually { () async throws -> ExperimentRun? in
                let run = try await client.experiments.run(failingRun)
                return run.status == .failed ? run : nil
            }
            #expect(failed.name == "failing")

            let comparison = try await client.experiments.compare(ComparisonRequest(runIDs: [existing.id, failingRun]))
            #expect(comparison.costAnalysis?.currency == "EUR")
            #expect(comparison.costAnalysis?.totalCosts.first == run.cost)

            let cancelled = try await client.jobs.submit(
                JobSpec(name: "cancelled", steps: [JobStep(name: "s", run: "true")], experiment: JobExperiment(project: "costs")))
            _ = try await client.jobs.cancel(cancelled.id)
            let cancelledRun = try #require(cancelled.spec.experiment?.runID)
            _ = try await eventually { () async throws -> ExperimentRun? in
                let run = try await client.experiments.run(cancelledRun)
                return run.status == .cancelled ? run : nil
            }
            await #expect {
                _ = try await client.jobs.submit(
                    JobSpec(name: "x", steps: [JobStep(name: "s", run: "true")], experiment: JobExperiment(name: "no project")))
            } throws: { ($0 as? AutoGitError)?.details?["field"] == "experiment.project" }
        }
    }
}

extension ExperimentsEndToEndTests {
    @Test("a retried job's run costs every attempt, and the job lists its earlier attempts")
    func costOfEveryAttempt() async throws {
        var configuration = EmbeddedServer.testConfiguration
        configuration.providers = [
            ServerConfiguration.ProviderEntry(
                name: "cloud", type: "exec",
                settings: ["offers": [["id": "a100x1", "gpu_count": 1, "hourly_price": 36, "currency": "EUR"]]])
        ]
        try await withEmbeddedServer(configuration: configuration) { server in
            let client = server.admin
            let (priced, agent) = try await server.registerAgent("priced", gpus: [EmbeddedServer.gpu(0)], provider: "cloud")
            let job = try await client.jobs.submit(
                JobSpec(
                    name: "flaky", steps: [JobStep(name: "s", run: "train")], retryCount: 1,
                    experiment: JobExperiment(project: "costs")))
            let runID = try #require(job.spec.experiment?.runID)

            // Attempt 1 runs a while and fails; attempt 2 runs and succeeds.
            _ = try #require(try await agent.runners.requestJob(priced.id, wait: 5))
            _ = try await agent.jobs.update(job.id, JobUpdate(status: .running))
            try await Task.sleep(for: .milliseconds(400))
            let retried = try await agent.jobs.update(job.id, JobUpdate(status: .failed, exitCode: 3))
            #expect(retried.status == .queued && retried.attempt == 2)
            _ = try #require(try await agent.runners.requestJob(priced.id, wait: 5))
            _ = try await agent.jobs.update(job.id, JobUpdate(status: .running))
            try await Task.sleep(for: .milliseconds(200))
            let finished = try await agent.jobs.update(job.id, JobUpdate(status: .succeeded, exitCode: 0))

            let earlier = try #require(try await client.jobs.get(job.id).previousAttempts.first)
            #expect(finished.previousAttempts.count == 1)
            #expect(earlier.attempt == 1 && earlier.status == .failed && earlier.exitCode == 3)
            #expect(earlier.runnerID == priced.id && earlier.provider == "cloud")
            let first = try #require(earlier.duration)
            let second = try #require(finished.duration)
            #expect(first >= 0.4)

            let run = try await eventually { () async throws -> ExperimentRun? in
                let run = try await client.experiments.run(runID)
                return run.status == .finished && run.cost != nil ? run : nil
            }
            // 36 EUR an hour is a cent a second: both attempts are paid for, not only the last (the first alone is
            // 0.004 or more). Times travel as milliseconds, so the figures agree to a few hundred-thousandths.
            #expect(abs((run.cost ?? 0) - 36 * (first + second) / 3600) < 0.0001, "\(run.cost ?? 0)")
            #expect(run.summary["attempts"] == 2)
        }
    }
}

/// Polls `probe` until it returns a value (every 50 ms, up to `seconds`).
func eventually<T: Sendable>(within seconds: Double = 20, _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while true {
        if let value = try await probe() { return value }
        if ContinuousClock.now > deadline { throw E2EFailure("the condition did not hold within \(seconds) s") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// A real `autogit runner` agent process runs a job whose steps print `::metric` lines.
@Suite(
    "A job's ::metric lines through a real runner agent", .timeLimit(.minutes(3)),
    .enabled(if: FileManager.default.isExecutableFile(atPath: autogitBinary)))
struct JobMetricsEndToEndTests {
    @Test("the points a job's steps print land in its run, with its params, and the run finishes with the job")
    func metricLinesLandInTheRun() async throws {
        try await withEmbeddedServer { server in
            let client = server.admin
            let registration = try await client.tokens.create(name: "agent", role: .runner)
            let workDirectory = NSTemporaryDirectory() + "/autogit-agent-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: workDirectory) }
            let agent = try ChildProcess.start(
                autogitBinary,
                [
                    "runner", "--server", server.server.baseURL.absoluteString, "--name", "metrics-agent", "--work-dir", workDirectory,
                ],
                environment: ["PATH": "/usr/bin:/bin", "AUTOGIT_REGISTRATION_TOKEN": registration.token ?? "", "HOME": workDirectory])
            do {
                let script = """
                    echo starting; echo '::metric loss=0.9 acc=0.5 step=1'
                    for i in 2 3 4; do echo "::metric loss=0.$((9 - i)) step=$i"; done
                    echo '::metric lr=0.001'; echo '::metric loss=oops step=5'; echo done
                    """
                let job = try await client.jobs.submit(
                    JobSpec(
                        name: "train",
                        steps: [JobStep(name: "train", run: script), JobStep(name: "eval", run: "echo '::metric eval_loss=0.31'")],
                        experiment: JobExperiment(project: "agent-metrics", params: ["lr": 0.001, "model": "tiny"], tags: ["e2e"])))
                let runID = try #require(job.spec.experiment?.runID)
                let run = try await eventually(within: 60) { () async throws -> ExperimentRun? in
                    let run = try await client.experiments.run(runID)
                    return run.status == .finished ? run : nil
                }
                #expect(try await client.jobs.get(job.id).status == .succeeded)
                #expect(run.jobID == job.id && run.project == "agent-metrics" && run.name == "train" && run.tags == ["e2e"])
                #expect(run.params == ["lr": 0.001, "model": "tiny"])
                let loss = try await client.experiments.metrics(runID, key: "loss")
                #expect(loss.points.map(\.step) == [1, 2, 3, 4])
                #expect(loss.points.map(\.value) == [0.9, 0.7, 0.6, 0.5])
                #expect(try await client.experiments.metrics(runID, key: "acc").points.map(\.value) == [0.5])
                #expect(try await client.experiments.metrics(runID, key: "lr").points.map(\.step) == [0])
                #expect(try await client.experiments.metrics(runID, key: "eval_loss").points.map(\.value) == [0.31])
                let logs = try await client.jobs.logPage(job.id, lines: 100).items.map(\.message)
                #expect(logs.contains("::metric loss=oops step=5"), "a malformed metric line stays ordinary output")
                await agent.stop()
            } catch {
                await agent.stop()
                throw error
            }
        }
    }
}
