import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("client.jobs builds its requests and reads its answers")
struct JobsRequestTests {
    static let spec = JobSpec(
        name: "train",
        steps: [JobStep(name: "setup", run: "pip install -r requirements.txt"), JobStep(name: "train", run: "python train.py")],
        environment: ["EPOCHS": "3"], timeout: 3600, retryCount: 2,
        requirements: JobRequirements(labels: ["cuda"], architecture: .amd64, gpu: GPURequirement(count: 2, type: "a100", minMemoryGB: 40)),
        priority: 5)

    @Test("submit posts the spec with snake_case keys and decodes the stored job")
    func submit() async throws {
        let transport = RecordingTransport { _, _ in exampleResponse("Job", status: 201) }
        let job = try await makeClient(transport).jobs.submit(Self.spec)
        let example = try #require(ContractExamples.shared.body(for: "Job"))
        #expect(job.id == example["id"]?.stringValue)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/jobs")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(
            request.bodyText
                == #"{"environment":{"EPOCHS":"3"},"name":"train","priority":5,"requirements":{"architecture":"amd64","#
                + #""gpu":{"count":2,"min_memory_gb":40,"type":"a100"},"labels":["cuda"]},"retry_count":2,"#
                + #""steps":[{"name":"setup","run":"pip install -r requirements.txt"},{"name":"train","run":"python train.py"}],"#
                + #""timeout":3600}"#)
    }

    @Test("listing repeats status and label, and sends the runner")
    func list() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.job))) { client in
            _ = try await client.jobs.listPage(status: [.queued, .running], runnerID: "runner 1", labels: ["cuda", "a100"], offset: 50)
        }
        #expect(request.target == "/v1/jobs?status=queued&status=running&runner_id=runner%201&label=cuda&label=a100&limit=50&offset=50")
    }

    @Test("get, cancel and update use the job's path; update is a PATCH with the report")
    func singleJob() async throws {
        let get = try await sentRequest(answering: jsonResponse(200, Fixture.job)) { client in _ = try await client.jobs.get("job/1") }
        #expect(get.method == "GET")
        #expect(get.target == "/v1/jobs/job%2F1")
        let cancel = try await sentRequest(answering: jsonResponse(200, Fixture.job)) { client in try await client.jobs.cancel("j1") }
        #expect(cancel.method == "POST")
        #expect(cancel.target == "/v1/jobs/j1/cancel")
        #expect(cancel.body == nil)
        let update = try await sentRequest(answering: jsonResponse(200, Fixture.job)) { client in
            try await client.jobs.update("j1", JobUpdate(status: .failed, statusReason: "step failed", exitCode: 137))
        }
        #expect(update.method == "PATCH")
        #expect(update.target == "/v1/jobs/j1")
        #expect(update.bodyText == #"{"exit_code":137,"status":"failed","status_reason":"step failed"}"#)
    }

    @Test("uploading logs posts the numbered lines as a batch")
    func appendLogs() async throws {
        let time = Date(timeIntervalSince1970: 1_705_314_664)
        let transport = RecordingTransport { _, _ in jsonResponse(200, #"{"accepted":2,"last_sequence":42}"#) }
        let result = try await makeClient(transport).jobs.appendLogs(
            "j1",
            [
                LogEntry(sequence: 41, timestamp: time, message: "Loading data", stream: .stdout, step: "train"),
                LogEntry(sequence: 42, timestamp: time, level: .error, message: "OOM", stream: .stderr, step: "train"),
            ])
        #expect(result.accepted == 2)
        #expect(result.lastSequence == 42)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/jobs/j1/logs")
        let entries = try #require(request.json?["entries"]?.arrayValue)
        #expect(entries.map { $0["seq"] } == [41, 42])
        #expect(entries.first?["timestamp"] == "2024-01-15T10:31:04Z")
        #expect(entries.last?["stream"] == "stderr")
    }

    @Test("reading logs without follow sends one JSON request and ends after its lines")
    func logsWithoutFollow() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(200, Fixture.page(Fixture.log, Fixture.log)) }
        var lines: [LogEntry] = []
        for try await line in makeClient(transport).jobs.logs("j1", lines: 10) { lines.append(line) }
        #expect(lines.count == 2)
        #expect(transport.requests.map(\.target) == ["/v1/jobs/j1/logs?lines=10"])
        #expect(transport.requests.first?.headers["Accept"] == "application/json")
        let after = try await sentRequest(answering: jsonResponse(200, Fixture.page())) { client in
            _ = try await client.jobs.logPage("j1", after: 40)
        }
        #expect(after.target == "/v1/jobs/j1/logs?after=40")
    }

    @Test("following logs asks for an event stream with follow=true")
    func followRequest() async throws {
        let transport = RecordingTransport { _, _ in
            eventStreamResponse([#"event: end"# + "\n" + #"data: {"job_id":"j1","status":"succeeded"}"# + "\n\n"])
        }
        for try await _ in makeClient(transport).jobs.logs("j1", lines: 100, follow: true) {}
        let request = try #require(transport.requests.first)
        #expect(request.method == "GET")
        #expect(request.target == "/v1/jobs/j1/logs?follow=true&lines=100")
        #expect(request.headers["Accept"] == "text/event-stream")
        #expect(request.headers["Last-Event-ID"] == nil)
        #expect(OpenAPIContract.shared.problems(with: request) == [])
        let resumed = try await sentRequest(
            answering: eventStreamResponse(["event: end\ndata: {\"job_id\":\"j1\",\"status\":\"failed\"}\n\n"])
        ) {
            client in
            for try await _ in client.jobs.logs("j1", after: 40, follow: true) {}
        }
        #expect(resumed.target == "/v1/jobs/j1/logs?follow=true&after=40")
        #expect(resumed.headers["Last-Event-ID"] == "40")
        #expect(OpenAPIContract.shared.problems(with: resumed) == [])
    }

    @Test("the contract's example log stream yields its lines and ends at `end`")
    func contractExampleStream() async throws {
        let example = try #require(ContractExamples.shared.responses["GET /v1/jobs/{id}/logs 200 text/event-stream"]?.stringValue)
        let transport = RecordingTransport { _, _ in eventStreamResponse([example]) }
        var lines: [LogEntry] = []
        for try await line in makeClient(transport).jobs.logs("job_456e7890", follow: true) { lines.append(line) }
        #expect(lines.map(\.sequence) == [41, 42])
        #expect(lines.map(\.message) == ["Loading data", "Epoch 1/3"])
        #expect(transport.count == 1)
    }

    @Test("a seed system's job list (PEFT Studio) decodes through the SDK")
    func seedList() async throws {
        let seed = try ContractExamples.seed("peft-studio/list-jobs.json")
        let transport = RecordingTransport { _, _ in HTTPResponseData(status: 200, body: HTTPBody(seed)) }
        let page = try await makeClient(transport).jobs.listPage()
        #expect(!page.items.isEmpty)
        let job = try ContractExamples.seed("peft-studio/get-job.json")
        let single = RecordingTransport { _, _ in HTTPResponseData(status: 200, body: HTTPBody(job)) }
        let decoded = try await makeClient(single).jobs.get("x")
        #expect(!decoded.id.isEmpty)
    }
}
