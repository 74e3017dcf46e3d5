import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("client.runners builds its requests and reads its answers")
struct RunnersRequestTests {
    @Test("listing sends every filter, repeats tags and labels, and escapes their values")
    func listFilters() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.runner))) { client in
            _ = try await client.runners.listPage(
                status: .idle, type: .docker, tags: ["a", "b c"], labels: ["cuda", "x&y=z"], provider: "slurm-a100", limit: 20, offset: 40)
        }
        #expect(request.method == "GET")
        #expect(
            request.target
                == "/v1/runners?status=idle&type=docker&tags=a&tags=b%20c&labels=cuda&labels=x%26y%3Dz&provider=slurm-a100&limit=20&offset=40"
        )
        #expect(request.body == nil)
    }

    @Test("listing without filters sends only the page")
    func listWithoutFilters() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.page())) { client in
            _ = try await client.runners.listPage()
        }
        #expect(request.target == "/v1/runners?limit=50&offset=0")
    }

    @Test("an id is one percent-encoded path segment, whatever it holds")
    func idEncoding() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.runner)) { client in
            _ = try await client.runners.get("pool/a b?c#d%e")
        }
        #expect(request.target == "/v1/runners/pool%2Fa%20b%3Fc%23d%25e")
        let sub = try await sentRequest(answering: exampleResponse("RunnerStatusReport")) { client in
            _ = try await client.runners.status("ünï/1")
        }
        #expect(sub.target == "/v1/runners/%C3%BCn%C3%AF%2F1/status")
    }

    @Test("get decodes a runner with its GPUs and load")
    func getDecodes() async throws {
        let body = try #require(ContractExamples.shared.body(for: "Runner"))
        let transport = RecordingTransport { _, _ in jsonResponse(200, body.text) }
        let runner = try await makeClient(transport).runners.get("runner-1")
        #expect(runner.id == body["id"]?.stringValue)
        #expect(runner.gpus.count == body["gpus"]?.arrayValue?.count)
        #expect(runner.labels == body["labels"]?.arrayValue?.compactMap(\.stringValue))
    }

    @Test("provision posts the request in snake_case and returns the new runners")
    func provision() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(202, Fixture.page(Fixture.runner, Fixture.runner)) }
        let runners = try await makeClient(transport).runners.provision(
            RunnerProvisionRequest(provider: "slurm-a100", architecture: .amd64, gpuType: "a100", gpuCount: 2, labels: ["cuda"], count: 2))
        #expect(runners.count == 2)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/runners")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(
            request.bodyText
                == #"{"architecture":"amd64","count":2,"gpu_count":2,"gpu_type":"a100","labels":["cuda"],"provider":"slurm-a100"}"#)
    }

    @Test("register, bulk, update and configuration send their bodies to their paths")
    func writes() async throws {
        let register = try await sentRequest(
            answering: jsonResponse(201, #"{"success":true,"runner_id":"r1","token":"rt_x"}"#)
        ) { client in
            let result = try await client.runners.register(
                RunnerRegistration(name: "gpu-1", type: .local, labels: ["cuda"], maxConcurrentJobs: 2))
            #expect(result.runnerID == "r1")
            #expect(result.token == "rt_x")
        }
        #expect(register.method == "POST")
        #expect(register.target == "/v1/runners/register")
        #expect(register.json?["max_concurrent_jobs"] == 2)
        #expect(register.json?["name"] == "gpu-1")

        let bulk = try await sentRequest(answering: exampleResponse("BulkOperationResult")) {
            client in
            _ = try await client.runners.bulk(BulkOperation(operation: .stop, filters: .init(tags: ["old"])))
        }
        #expect(bulk.target == "/v1/runners/bulk")
        #expect(bulk.json?["operation"] == "stop")
        #expect(bulk.json?["filters"]?["tags"] == ["old"])

        let update = try await sentRequest(answering: jsonResponse(200, Fixture.runner)) { client in
            _ = try await client.runners.update("r1", RunnerUpdate(labels: ["cuda", "a100"]))
        }
        #expect(update.method == "PUT")
        #expect(update.target == "/v1/runners/r1")
        #expect(update.bodyText == #"{"labels":["cuda","a100"]}"#)

        let configuration = try await sentRequest(answering: jsonResponse(200, #"{"success":true,"restart_required":true}"#)) {
            client in
            let result = try await client.runners.updateConfiguration("r1", RunnerConfiguration(maxConcurrentJobs: 4))
            #expect(result.restartRequired == true)
        }
        #expect(configuration.method == "PUT")
        #expect(configuration.target == "/v1/runners/r1/config")
        #expect(configuration.json?["max_concurrent_jobs"] == 4)
    }

    @Test("delete sends force only when asked")
    func delete() async throws {
        let plain = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.runners.delete("r1")
        }
        #expect(plain.method == "DELETE")
        #expect(plain.target == "/v1/runners/r1")
        let forced = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.runners.delete("r1", force: true)
        }
        #expect(forced.target == "/v1/runners/r1?force=true")
    }

    @Test("start, stop and restart post to their actions; stop and restart carry the stop request")
    func actions() async throws {
        let start = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in try await client.runners.start("r1") }
        #expect(start.method == "POST")
        #expect(start.target == "/v1/runners/r1/start")
        #expect(start.body == nil)
        let stop = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.runners.stop("r1", RunnerStopRequest(graceful: false, timeout: 30, reason: "maintenance"))
        }
        #expect(stop.target == "/v1/runners/r1/stop")
        #expect(stop.bodyText == #"{"graceful":false,"reason":"maintenance","timeout":30}"#)
        let restart = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.runners.restart("r1")
        }
        #expect(restart.target == "/v1/runners/r1/restart")
        #expect(restart.bodyText == "{}")
    }

    @Test("status, health, metrics and configuration are read from their paths")
    func reads() async throws {
        let metrics = try await sentRequest(answering: exampleResponse("RunnerMetrics")) {
            client in
            _ = try await client.runners.metrics("r1", period: "24h", resolution: "5m")
        }
        #expect(metrics.target == "/v1/runners/r1/metrics?period=24h&resolution=5m")
        let health = try await sentRequest(answering: exampleResponse("RunnerHealth")) { client in
            _ = try await client.runners.health("r1")
        }
        #expect(health.target == "/v1/runners/r1/health")
        let configuration = try await sentRequest(answering: exampleResponse("RunnerConfigurationDocument")) { client in
            let document = try await client.runners.configuration("r1")
            #expect(document.configuration.maxConcurrentJobs == 2)
        }
        #expect(configuration.method == "GET")
        #expect(configuration.target == "/v1/runners/r1/config")
    }

    @Test("a heartbeat posts load and GPU readings and reads the jobs to cancel")
    func heartbeat() async throws {
        let transport = RecordingTransport { _, _ in
            jsonResponse(200, #"{"status":"draining","cancel_job_ids":["j9"],"next_heartbeat_in":10}"#)
        }
        let ack = try await makeClient(transport).runners.heartbeat(
            "r1", Heartbeat(currentLoad: RunnerLoad(activeJobs: 1), gpus: [GPUReading(index: 0, utilization: 93.5)], runningJobIDs: ["j1"]))
        #expect(ack.cancelJobIDs == ["j9"])
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/runners/r1/heartbeat")
        #expect(request.json?["running_job_ids"] == ["j1"])
        #expect(request.json?["current_load"]?["active_jobs"] == 1)
        #expect(request.json?["gpus"]?.arrayValue?.first?["utilization"] == 93.5)
    }

    @Test("the job long poll sends wait, returns the job on 200 and nil on 204")
    func requestJob() async throws {
        let transport = RecordingTransport { _, index in
            index == 0 ? jsonResponse(200, Fixture.job) : HTTPResponseData(status: 204)
        }
        let client = makeClient(transport)
        let job = try await client.runners.requestJob("r1", wait: 25)
        #expect(job?.id == "j1")
        let none = try await client.runners.requestJob("r1", wait: 0)
        #expect(none == nil)
        #expect(transport.requests.map(\.target) == ["/v1/runners/r1/jobs/request?wait=25", "/v1/runners/r1/jobs/request?wait=0"])
        #expect(transport.requests.allSatisfy { $0.method == "POST" && $0.body == nil })
        // The long poll's wait is added to the request timeout (30 s by default).
        #expect(transport.requests.first?.idleTimeout == .seconds(55))
    }

    @Test("a runner's jobs are listed with repeated statuses, and a job is submitted pinned to it")
    func runnerJobs() async throws {
        let list = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.job))) { client in
            _ = try await client.runners.jobsPage(of: "r1", status: [.running, .assigned], limit: 10)
        }
        #expect(list.target == "/v1/runners/r1/jobs?status=running&status=assigned&limit=10&offset=0")
        let submit = try await sentRequest(answering: jsonResponse(201, Fixture.job)) { client in
            _ = try await client.runners.submitJob(JobSpec(name: "train", steps: [JobStep(name: "run", run: "make")]), to: "r1")
        }
        #expect(submit.method == "POST")
        #expect(submit.target == "/v1/runners/r1/jobs")
        #expect(submit.json?["steps"]?.arrayValue?.first?["run"] == "make")
    }

    @Test("a runner's log page sends lines, level and since as RFC 3339")
    func logPage() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.log))) { client in
            let page = try await client.runners.logPage("r1", lines: 20, level: .warn, since: Date(timeIntervalSince1970: 1_705_314_600))
            #expect(page.items.first?.message == "hello")
        }
        #expect(request.target == "/v1/runners/r1/logs?lines=20&level=warn&since=2024-01-15T10%3A30%3A00Z")
    }

    @Test("a seed system's runner list (RustCI) decodes through the SDK")
    func seedList() async throws {
        let seed = try ContractExamples.seed("rustci/list-runners.json")
        let transport = RecordingTransport { _, _ in HTTPResponseData(status: 200, body: HTTPBody(seed)) }
        let page = try await makeClient(transport).runners.listPage()
        #expect(!page.items.isEmpty)
        #expect(page.items.first?.id.isEmpty == false)
    }
}
