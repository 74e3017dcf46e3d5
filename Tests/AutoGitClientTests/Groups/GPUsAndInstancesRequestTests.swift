import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("client.gpus builds its requests and reads its answers")
struct GPUsRequestTests {
    @Test("listing sends runner, vendor, type and availability")
    func list() async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.gpu))) { client in
            let page = try await client.gpus.listPage(runnerID: "runner-1", vendor: .nvidia, type: "rtx 4090", available: false)
            #expect(page.items.first?.memoryTotalMB == 81920)
        }
        #expect(request.target == "/v1/gpus?runner_id=runner-1&vendor=nvidia&type=rtx%204090&available=false&limit=50&offset=0")
    }

    @Test("the free GPUs come from /v1/gpus/available, one GPU from its id with the colon kept")
    func availableAndGet() async throws {
        let available = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.gpu))) { client in
            _ = try await client.gpus.availablePage(vendor: .amd, minMemoryGB: 40, limit: 5)
        }
        #expect(available.target == "/v1/gpus/available?vendor=amd&min_memory_gb=40&limit=5&offset=0")
        let single = try await sentRequest(answering: exampleResponse("GPU")) { client in
            let gpu = try await client.gpus.get("runner-1:gpu0")
            #expect(gpu.vendor == .nvidia)
        }
        #expect(single.target == "/v1/gpus/runner-1:gpu0")
    }
}

@Suite("client.instances builds its requests and reads its answers")
struct InstancesRequestTests {
    @Test("create posts the definition; list, get, update and delete use the instance's name")
    func lifecycle() async throws {
        let create = try await sentRequest(answering: exampleResponse("Instance", status: 201)) { client in
            _ = try await client.instances.create(
                Instance(name: "llama2-7b", backend: .llamaServer, modelPath: "/models/llama-2-7b.gguf", port: 8081, onDemand: true))
        }
        #expect(create.method == "POST")
        #expect(create.target == "/v1/instances")
        #expect(create.json?["model_path"] == "/models/llama-2-7b.gguf")
        #expect(create.json?["on_demand"] == true)
        #expect(create.json?["backend"] == "llama-server")

        let list = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.instance))) { client in
            _ = try await client.instances.listPage(status: .running)
        }
        #expect(list.target == "/v1/instances?status=running&limit=50&offset=0")

        let update = try await sentRequest(answering: exampleResponse("Instance")) { client in
            _ = try await client.instances.update("my model", InstanceUpdate(port: 9000))
        }
        #expect(update.method == "PUT")
        #expect(update.target == "/v1/instances/my%20model")
        #expect(update.json?["port"] == 9000)

        let delete = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.instances.delete("llama2-7b", force: true)
        }
        #expect(delete.method == "DELETE")
        #expect(delete.target == "/v1/instances/llama2-7b?force=true")
    }

    @Test("start, stop, restart and the batch actions post to their paths")
    func actions() async throws {
        let start = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in try await client.instances.start("m") }
        #expect(start.target == "/v1/instances/m/start")
        let stop = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.instances.stop("m", InstanceStopRequest(force: true))
        }
        #expect(stop.target == "/v1/instances/m/stop")
        #expect(stop.json?["force"] == true)
        let restart = try await sentRequest(answering: jsonResponse(200, Fixture.action)) { client in
            try await client.instances.restart("m")
        }
        #expect(restart.target == "/v1/instances/m/restart")
        let all = try await sentRequest(answering: exampleResponse("InstanceBatchResult")) { client in
            let result = try await client.instances.startAll()
            #expect(!result.results.isEmpty)
        }
        #expect(all.method == "POST")
        #expect(all.target == "/v1/instances/start-all")
        let stopAll = try await sentRequest(answering: exampleResponse("InstanceBatchResult")) { client in
            _ = try await client.instances.stopAll()
        }
        #expect(stopAll.target == "/v1/instances/stop-all")
        #expect(stopAll.bodyText == "{}")
    }

    @Test("health and logs are read from the instance's paths")
    func healthAndLogs() async throws {
        let health = try await sentRequest(answering: exampleResponse("InstanceHealth")) { client in
            _ = try await client.instances.health("m")
        }
        #expect(health.target == "/v1/instances/m/health")
        let logs = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.log))) { client in
            _ = try await client.instances.logPage("m", lines: 5, level: .error)
        }
        #expect(logs.target == "/v1/instances/m/logs?lines=5&level=error")
    }

    @Test("the proxy keeps the model server's path, query, method, headers and body, and returns any status as it is")
    func proxy() async throws {
        let transport = RecordingTransport { _, _ in
            HTTPResponseData(status: 503, headers: ["Content-Type": "text/plain"], body: HTTPBody("loading model"))
        }
        let answer = try await makeClient(transport).instances.proxy(
            "llama 2", method: "post", path: "/v1/chat/completions", query: [("stream", "true"), ("a b", "c&d")],
            headers: ["Content-Type": "application/json"], body: Data(#"{"messages":[]}"#.utf8))
        #expect(answer.status == 503)
        #expect(String(decoding: try await answer.body.collect(), as: UTF8.self) == "loading model")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/instances/llama%202/proxy/v1/chat/completions?stream=true&a%20b=c%26d")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["Accept"] == "*/*")
        #expect(request.bodyText == #"{"messages":[]}"#)
        // A proxied call is sent once, whatever it answers: the model server's request may not be safe to repeat.
        #expect(transport.count == 1)
    }

    @Test("a seed system's instance list (LlamaCtl) decodes through the SDK")
    func seedList() async throws {
        let seed = try ContractExamples.seed("llamactl/list-instances.json")
        let transport = RecordingTransport { _, _ in HTTPResponseData(status: 200, body: HTTPBody(seed)) }
        let page = try await makeClient(transport).instances.listPage()
        #expect(!page.items.isEmpty)
    }
}
