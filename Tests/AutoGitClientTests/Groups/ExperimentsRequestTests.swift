import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("client.experiments builds its requests and reads its answers")
struct ExperimentsRequestTests {
    @Test("projects are listed and created")
    func projects() async throws {
        let list = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.project))) { client in
            _ = try await client.experiments.projectsPage(limit: 10, offset: 10)
        }
        #expect(list.target == "/v1/projects?limit=10&offset=10")
        let create = try await sentRequest(answering: jsonResponse(201, Fixture.project)) { client in
            _ = try await client.experiments.createProject(named: "llama-finetune")
        }
        #expect(create.method == "POST")
        #expect(create.target == "/v1/projects")
        #expect(create.json?["name"] == "llama-finetune")
    }

    @Test("runs are listed with repeated tags and include_deleted only when asked")
    func listRuns() async throws {
        let all = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.run))) { client in
            _ = try await client.experiments.runsPage(project: "p", status: .running, tags: ["lora", "7b"], includeDeleted: true)
        }
        #expect(all.target == "/v1/runs?project=p&status=running&tag=lora&tag=7b&include_deleted=true&limit=50&offset=0")
        let plain = try await sentRequest(answering: jsonResponse(200, Fixture.page())) { client in
            _ = try await client.experiments.runsPage()
        }
        #expect(plain.target == "/v1/runs?limit=50&offset=0")
    }

    @Test("a run is created, read, patched, deleted softly or for good, and restored")
    func runLifecycle() async throws {
        let create = try await sentRequest(answering: jsonResponse(201, Fixture.run)) { client in
            _ = try await client.experiments.createRun(
                RunCreateRequest(project: "p", name: "lr-3e-4", params: ["learning_rate": 0.0003], tags: ["lora"], jobID: "j1"))
        }
        #expect(create.target == "/v1/runs")
        #expect(create.json?["job_id"] == "j1")
        #expect(create.json?["params"]?["learning_rate"] == 0.0003)

        let patch = try await sentRequest(answering: jsonResponse(200, Fixture.run)) { client in
            try await client.experiments.updateRun("run1", RunUpdate(status: .finished, summary: ["best_loss": 0.21]))
        }
        #expect(patch.method == "PATCH")
        #expect(patch.target == "/v1/runs/run1")
        #expect(patch.bodyText == #"{"status":"finished","summary":{"best_loss":0.21}}"#)

        let soft = RecordingTransport { _, _ in jsonResponse(200, Fixture.run) }
        let trashed = try await makeClient(soft).experiments.deleteRun("run1")
        #expect(trashed?.id == "run1")
        #expect(soft.requests.first?.target == "/v1/runs/run1")
        let hard = RecordingTransport { _, _ in HTTPResponseData(status: 204) }
        let purged = try await makeClient(hard).experiments.deleteRun("run1", permanent: true)
        #expect(purged == nil)
        #expect(hard.requests.first?.method == "DELETE")
        #expect(hard.requests.first?.target == "/v1/runs/run1?permanent=true")

        let restore = try await sentRequest(answering: jsonResponse(200, Fixture.run)) { client in
            try await client.experiments.restoreRun("run1")
        }
        #expect(restore.method == "POST")
        #expect(restore.target == "/v1/runs/run1/restore")
    }

    @Test("metrics are appended as points and read as a series")
    func metrics() async throws {
        let log = try await sentRequest(answering: HTTPResponseData(status: 204)) { client in
            try await client.experiments.logMetrics(
                "run1", [MetricPoint(key: "loss", step: 1, value: 2.5), MetricPoint(key: "loss", step: 2, value: 2.1)])
        }
        #expect(log.method == "POST")
        #expect(log.target == "/v1/runs/run1/metrics")
        #expect(log.bodyText == #"{"points":[{"key":"loss","step":1,"value":2.5},{"key":"loss","step":2,"value":2.1}]}"#)
        let read = try await sentRequest(answering: exampleResponse("RunMetricSeries")) { client in
            let series = try await client.experiments.metrics("run1", key: "eval/loss", sinceStep: 10, maxPoints: 200)
            #expect(!series.points.isEmpty)
        }
        #expect(read.target == "/v1/runs/run1/metrics?key=eval%2Floss&since_step=10&max_points=200")
    }

    @Test("compare posts the runs and metric and is retried like a read")
    func compare() async throws {
        let transport = RecordingTransport { _, index in
            index == 0 ? HTTPResponseData(status: 503) : exampleResponse("Comparison")
        }
        let sleeper = SleepRecorder()
        let comparison = try await makeClient(transport, sleeper: sleeper).experiments.compare(
            ComparisonRequest(runIDs: ["a", "b"], metric: "loss", mode: .min))
        #expect(!comparison.runIDs.isEmpty)
        #expect(transport.count == 2)
        let request = try #require(transport.requests.first)
        #expect(request.target == "/v1/experiments/compare")
        #expect(request.json?["run_ids"] == ["a", "b"])
        #expect(request.json?["mode"] == "min")
    }

    @Test("artifacts are listed by type, created and read by name")
    func artifacts() async throws {
        let list = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.artifact))) { client in
            _ = try await client.experiments.artifactsPage(type: "dataset")
        }
        #expect(list.target == "/v1/artifacts?type=dataset&limit=50&offset=0")
        let create = try await sentRequest(answering: jsonResponse(201, Fixture.artifact)) { client in
            _ = try await client.experiments.createArtifact(Artifact(name: "llama2-lora", type: "adapter", description: "LoRA"))
        }
        #expect(create.target == "/v1/artifacts")
        #expect(create.json?["type"] == "adapter")
        let get = try await sentRequest(answering: jsonResponse(200, Fixture.artifact)) { client in
            _ = try await client.experiments.artifact("org/model")
        }
        #expect(get.target == "/v1/artifacts/org%2Fmodel")
        let versions = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.version))) { client in
            _ = try await client.experiments.versionsPage(of: "model", limit: 2)
        }
        #expect(versions.target == "/v1/artifacts/model/versions?limit=2&offset=0")
        let version = try await sentRequest(answering: jsonResponse(200, Fixture.version)) { client in
            _ = try await client.experiments.version("production", of: "model")
        }
        #expect(version.target == "/v1/artifacts/model/versions/production")
    }

    @Test("an upload sends the bytes as octet-stream with their SHA-256 and the version's attributes in the query")
    func upload() async throws {
        let content = Data("abc".utf8)
        let request = try await sentRequest(answering: exampleResponse("ArtifactVersion", status: 201)) { client in
            _ = try await client.experiments.uploadVersion(
                of: "model", content: content, type: "model", aliases: ["best", "prod"], metadata: ["epochs": 3], runID: "run1")
        }
        #expect(request.method == "POST")
        #expect(request.headers["Content-Type"] == "application/octet-stream")
        #expect(request.body == content)
        // SHA-256("abc") from FIPS 180-4.
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(
            request.target
                == "/v1/artifacts/model/versions?sha256=\(sha)&type=model&aliases=best&aliases=prod&metadata=%7B%22epochs%22%3A3%7D&run_id=run1"
        )
    }

    @Test("a download sends Range, If-Range and If-None-Match and reads the partial answer's range and size")
    func download() async throws {
        let transport = RecordingTransport { _, index in
            index == 0
                ? HTTPResponseData(status: 206, headers: ["Content-Range": "bytes 4-6/7", "ETag": #""e1""#], body: HTTPBody("xyz"))
                : HTTPResponseData(status: 304, headers: ["ETag": #""e1""#])
        }
        let client = makeClient(transport)
        let partial = try await client.experiments.download("model", version: "v2", range: .from(4), ifRange: #""e1""#)
        #expect(partial.isPartial)
        #expect(partial.content == Data("xyz".utf8))
        #expect(partial.range == 4...6)
        #expect(partial.totalSize == 7)
        #expect(partial.etag == #""e1""#)
        let unchanged = try await client.experiments.download("model", ifNoneMatch: #""e1""#)
        #expect(unchanged.isNotModified)
        #expect(unchanged.content.isEmpty)
        let first = try #require(transport.requests.first)
        #expect(first.target == "/v1/artifacts/model/versions/v2/content")
        #expect(first.headers["Range"] == "bytes=4-")
        #expect(first.headers["If-Range"] == #""e1""#)
        #expect(first.headers["Accept"] == "application/octet-stream")
        #expect(transport.requests.last?.target == "/v1/artifacts/model/versions/latest/content")
        #expect(transport.requests.last?.headers["If-None-Match"] == #""e1""#)
        #expect(transport.requests.last?.headers["Range"] == nil)
    }

    @Test("setting an alias puts the version number")
    func alias() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.version)) { client in
            try await client.experiments.setAlias("production", of: "model", to: 3)
        }
        #expect(request.method == "PUT")
        #expect(request.target == "/v1/artifacts/model/aliases/production")
        #expect(request.bodyText == #"{"version":3}"#)
    }

    @Test("a seed system's experiment list (PEFT Studio) decodes through the SDK")
    func seedList() async throws {
        let seed = try ContractExamples.seed("peft-studio/list-experiments.json")
        let transport = RecordingTransport { _, _ in HTTPResponseData(status: 200, body: HTTPBody(seed)) }
        let page = try await makeClient(transport).experiments.runsPage()
        #expect(!page.items.isEmpty)
    }
}
