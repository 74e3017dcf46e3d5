import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

/// Every operation of Docs/openapi.yaml, called through the SDK: the request it builds must be the one the contract
/// describes (method, path, declared query parameters and headers, body media type, body properties), and the SDK
/// must decode the contract's own example of the answer.
@Suite("The SDK against Docs/openapi.yaml")
struct ContractTests {
    typealias Call = @Sendable (AutoGitClient, ContractExamples) async throws -> Void

    /// One SDK call per operationId.
    static let calls: [String: Call] = [
        // system
        "getHealth": { client, _ in
            let value = try await client.system.health()
            #expect(value.isHealthy)
        },
        "getSystemStatus": { client, _ in
            let value = try await client.system.status()
            #expect(value.runners?.total == 12)
        },
        "getSystemInfo": { client, _ in _ = try await client.system.info() },
        "getPrometheusMetrics": { client, _ in
            let value = try await client.system.prometheusMetrics()
            #expect(value.contains("autogit_jobs_queued"))
        },
        // auth and tokens
        "login": { client, examples in
            let login: LoginRequest = try examples.model("LoginRequest")
            _ = try await client.auth.login(username: login.username, password: login.password)
        },
        "refreshToken": { client, _ in _ = try await client.auth.refresh() },
        "listTokens": { client, _ in
            let value = try await client.tokens.listPage(role: .runner)
            #expect(value.items.count == 1)
        },
        "createToken": { client, examples in _ = try await client.tokens.create(examples.model("TokenCreateRequest")) },
        "deleteToken": { client, _ in try await client.tokens.delete("tok_5b1c") },
        // runners
        "listRunners": { client, _ in
            _ = try await client.runners.listPage(status: .idle, type: .docker, tags: ["a"], labels: ["gpu"], provider: "local")
        },
        "provisionRunners": { client, examples in _ = try await client.runners.provision(examples.model("RunnerProvisionRequest")) },
        "registerRunner": { client, examples in _ = try await client.runners.register(examples.model("RunnerRegistration")) },
        "bulkRunnerOperation": { client, examples in _ = try await client.runners.bulk(examples.model("BulkOperation")) },
        "getRunner": { client, _ in _ = try await client.runners.get("runner-1") },
        "updateRunner": { client, examples in _ = try await client.runners.update("runner-1", examples.model("RunnerUpdate")) },
        "deleteRunner": { client, _ in
            let value = try await client.runners.delete("runner-1", force: true)
            #expect(value.success)
        },
        "getRunnerStatus": { client, _ in _ = try await client.runners.status("runner-1") },
        "getRunnerHealth": { client, _ in _ = try await client.runners.health("runner-1") },
        "getRunnerMetrics": { client, _ in _ = try await client.runners.metrics("runner-1", period: "24h", resolution: "5m") },
        "getRunnerConfig": { client, _ in _ = try await client.runners.configuration("runner-1") },
        "updateRunnerConfig": { client, examples in
            _ = try await client.runners.updateConfiguration("runner-1", examples.model("RunnerConfiguration"))
        },
        "startRunner": { client, _ in _ = try await client.runners.start("runner-1") },
        "stopRunner": { client, examples in _ = try await client.runners.stop("runner-1", examples.model("RunnerStopRequest")) },
        "restartRunner": { client, examples in _ = try await client.runners.restart("runner-1", examples.model("RunnerStopRequest")) },
        "sendHeartbeat": { client, examples in _ = try await client.runners.heartbeat("runner-1", examples.model("Heartbeat")) },
        "requestJob": { client, _ in
            let value = try await client.runners.requestJob("runner-1", wait: 0)
            #expect(value != nil)
        },
        "listRunnerLogs": { client, _ in
            _ = try await client.runners.logPage("runner-1", lines: 10, level: .warn, since: Date(timeIntervalSince1970: 1_705_314_600))
        },
        "listRunnerJobs": { client, _ in _ = try await client.runners.jobsPage(of: "runner-1", status: [.running, .queued]) },
        "submitRunnerJob": { client, examples in _ = try await client.runners.submitJob(examples.model("JobSpec"), to: "runner-1") },
        // GPUs
        "listGPUs": { client, _ in
            _ = try await client.gpus.listPage(runnerID: "runner-1", vendor: .nvidia, type: "a100", minMemoryGB: 40, available: true)
        },
        "listAvailableGPUs": { client, _ in
            _ = try await client.gpus.availablePage(runnerID: "runner-1", vendor: .amd, type: "mi300x", minMemoryGB: 79.5)
        },
        "getGPU": { client, _ in _ = try await client.gpus.get("runner-1:gpu0") },
        // jobs
        "submitJob": { client, examples in _ = try await client.jobs.submit(examples.model("JobSpec")) },
        "listJobs": { client, _ in _ = try await client.jobs.listPage(status: [.queued], runnerID: "runner-1", labels: ["gpu"]) },
        "getJob": { client, _ in _ = try await client.jobs.get("job_456e7890") },
        "updateJob": { client, examples in _ = try await client.jobs.update("job_456e7890", examples.model("JobUpdate")) },
        "cancelJob": { client, _ in _ = try await client.jobs.cancel("job_456e7890") },
        "listJobLogs": { client, _ in _ = try await client.jobs.logPage("job_456e7890", lines: 100, after: 40) },
        "appendJobLogs": { client, examples in
            let batch: LogBatch = try examples.model("LogBatch")
            _ = try await client.jobs.appendLogs("job_456e7890", batch.entries)
        },
        // instances
        "listInstances": { client, _ in _ = try await client.instances.listPage(status: .running) },
        "createInstance": { client, examples in _ = try await client.instances.create(examples.model("Instance")) },
        "startAllInstances": { client, _ in _ = try await client.instances.startAll() },
        "stopAllInstances": { client, examples in _ = try await client.instances.stopAll(examples.model("InstanceStopRequest")) },
        "getInstance": { client, _ in _ = try await client.instances.get("llama2-7b") },
        "updateInstance": { client, examples in _ = try await client.instances.update("llama2-7b", examples.model("InstanceUpdate")) },
        "deleteInstance": { client, _ in _ = try await client.instances.delete("llama2-7b", force: true) },
        "startInstance": { client, _ in
            let value = try await client.instances.start("llama2-7b")
            #expect(value.status == "starting")
        },
        "stopInstance": { client, examples in _ = try await client.instances.stop("llama2-7b", examples.model("InstanceStopRequest")) },
        "restartInstance": { client, _ in _ = try await client.instances.restart("llama2-7b") },
        "getInstanceHealth": { client, _ in _ = try await client.instances.health("llama2-7b") },
        "listInstanceLogs": { client, _ in _ = try await client.instances.logPage("llama2-7b", lines: 50, level: .info) },
        "proxyInstanceGet": { client, _ in _ = try await client.instances.proxy("llama2-7b", path: "v1/models") },
        "proxyInstancePost": { client, _ in
            _ = try await client.instances.proxy(
                "llama2-7b", method: "POST", path: "v1/chat/completions", headers: ["Content-Type": "application/json"],
                body: Data(#"{"model":"llama"}"#.utf8))
        },
        "proxyInstancePut": { client, _ in
            _ = try await client.instances.proxy(
                "llama2-7b", method: "PUT", path: "v1/x", headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        },
        "proxyInstancePatch": { client, _ in
            _ = try await client.instances.proxy(
                "llama2-7b", method: "PATCH", path: "v1/x", headers: ["Content-Type": "text/plain"], body: Data("x".utf8))
        },
        "proxyInstanceDelete": { client, _ in _ = try await client.instances.proxy("llama2-7b", method: "DELETE", path: "v1/x") },
        "proxyInstanceHead": { client, _ in _ = try await client.instances.proxy("llama2-7b", method: "HEAD", path: "health") },
        "proxyInstanceOptions": { client, _ in _ = try await client.instances.proxy("llama2-7b", method: "OPTIONS", path: "v1/x") },
        // experiments
        "listProjects": { client, _ in _ = try await client.experiments.projectsPage() },
        "createProject": { client, examples in _ = try await client.experiments.createProject(examples.model("Project")) },
        "listRuns": { client, _ in
            _ = try await client.experiments.runsPage(project: "llama", status: .finished, tags: ["lora"], includeDeleted: true)
        },
        "createRun": { client, examples in _ = try await client.experiments.createRun(examples.model("RunCreateRequest")) },
        "getRun": { client, _ in _ = try await client.experiments.run("20240115_103000_a1b2c3") },
        "updateRun": { client, examples in _ = try await client.experiments.updateRun("20240115_103000_a1b2c3", examples.model("RunUpdate"))
        },
        "deleteRun": { client, _ in _ = try await client.experiments.deleteRun("20240115_103000_a1b2c3") },
        "restoreRun": { client, _ in _ = try await client.experiments.restoreRun("20240115_103000_a1b2c3") },
        "logRunMetrics": { client, examples in
            let batch: MetricBatch = try examples.model("MetricBatch")
            try await client.experiments.logMetrics("20240115_103000_a1b2c3", batch.points)
        },
        "getRunMetrics": { client, _ in
            _ = try await client.experiments.metrics("20240115_103000_a1b2c3", key: "loss", sinceStep: 100, maxPoints: 500)
        },
        "compareRuns": { client, examples in _ = try await client.experiments.compare(examples.model("ComparisonRequest")) },
        "listArtifacts": { client, _ in _ = try await client.experiments.artifactsPage(type: "model") },
        "createArtifact": { client, examples in _ = try await client.experiments.createArtifact(examples.model("Artifact")) },
        "getArtifact": { client, _ in _ = try await client.experiments.artifact("llama2-lora") },
        "listArtifactVersions": { client, _ in _ = try await client.experiments.versionsPage(of: "llama2-lora") },
        "uploadArtifactVersion": { client, _ in
            _ = try await client.experiments.uploadVersion(
                of: "llama2-lora", content: Data("weights".utf8), type: "model", aliases: ["best", "production"],
                metadata: ["epochs": 3], runID: "20240115_103000_a1b2c3")
        },
        "getArtifactVersion": { client, _ in _ = try await client.experiments.version("latest", of: "llama2-lora") },
        "downloadArtifactVersion": { client, _ in
            _ = try await client.experiments.download("llama2-lora", version: "v2", range: .from(10), ifRange: #""abc""#)
        },
        "setArtifactAlias": { client, _ in _ = try await client.experiments.setAlias("best", of: "llama2-lora", to: 2) },
        // config
        "getConfig": { client, _ in _ = try await client.config.get() },
        "updateConfig": { client, examples in
            _ = try await client.config.patch(try #require(examples.schemas["ServerConfigurationPatch"]?.example))
        },
        "getConfigSchema": { client, _ in
            let value = try await client.config.schema()
            #expect(value["title"] == "ServerConfiguration")
        },
        // providers
        "listProviders": { client, _ in
            let value = try await client.providers.list(gpuType: "a100")
            #expect(value.count == 1)
        },
        "getProvider": { client, _ in _ = try await client.providers.get("slurm-a100") },
        // events: the contract's example stream holds two events
        "streamEvents": { client, _ in
            var received: [Event] = []
            for try await event in client.events.stream(types: [.jobStatusChanged, .runnerStatusChanged]) {
                received.append(event)
                if received.count == 2 { break }
            }
            #expect(received.map(\.id) == ["1234", "1235"])
        },
        // webhooks
        "listWebhooks": { client, _ in _ = try await client.webhooks.listPage() },
        "createWebhook": { client, examples in _ = try await client.webhooks.create(examples.model("WebhookCreateRequest")) },
        "getWebhook": { client, _ in _ = try await client.webhooks.get("wh_7d2a") },
        "updateWebhook": { client, examples in
            _ = try await client.webhooks.update("wh_7d2a", examples.model("WebhookUpdateRequest"))
        },
        "deleteWebhook": { client, _ in try await client.webhooks.delete("wh_7d2a") },
        "listWebhookDeliveries": { client, _ in _ = try await client.webhooks.deliveriesPage(of: "wh_7d2a", status: .failed) },
    ]

    /// The answer the contract gives for `request`: the operation's example, or its schema's.
    static func answer(_ request: HTTPRequestData) -> HTTPResponseData {
        let contract = OpenAPIContract.shared
        let examples = ContractExamples.shared
        guard let operation = contract.operation(for: request) else {
            return jsonResponse(404, #"{"error":{"code":"NOT_FOUND","message":"not in the contract"}}"#)
        }
        if operation.path.hasSuffix("/proxy/{path}") {
            return HTTPResponseData(status: 200, headers: ["Content-Type": "text/plain"], body: HTTPBody("proxied"))
        }
        let accept = request.headers["Accept"] ?? ""
        for status in operation.successes.keys.sorted() {
            for mediaType in ["text/event-stream", "text/plain; version=0.0.4", "application/json"] {
                if mediaType == "text/event-stream" && !accept.contains("text/event-stream") { continue }
                if case .string(let text)? = examples.responses["\(operation.method) \(operation.path) \(status) \(mediaType)"] {
                    return HTTPResponseData(status: Int(status)!, headers: ["Content-Type": mediaType], body: HTTPBody(text))
                }
                if let example = examples.responses["\(operation.method) \(operation.path) \(status) \(mediaType)"] {
                    return jsonResponse(Int(status)!, example.text)
                }
            }
            if let schema = operation.successes[status] ?? nil, let body = examples.body(for: schema) {
                return jsonResponse(Int(status)!, body.text)
            }
        }
        let status = operation.successes.keys.sorted().first.flatMap { Int($0) } ?? 200
        if operation.id == "downloadArtifactVersion" {
            return HTTPResponseData(
                status: 206, headers: ["Content-Range": "bytes 10-12/13", "ETag": #""abc""#], body: HTTPBody("xyz"))
        }
        return HTTPResponseData(status: status)
    }

    @Test("the contract is read: every operation has an id, a method and a path")
    func contractIsRead() {
        let operations = OpenAPIContract.shared.operations
        #expect(operations.count > 80)
        #expect(operations.allSatisfy { !$0.id.isEmpty })
        #expect(Set(operations.map(\.id)).count == operations.count)
        let examples = ContractExamples.shared
        #expect(examples.schemas["Runner"]?.example != nil, "Fixtures/openapi-examples.json is missing or unreadable")
    }

    @Test("every operation in the contract has an SDK call, and every SDK call an operation")
    func everyOperationIsCovered() {
        let ids = Set(OpenAPIContract.shared.operations.map(\.id))
        #expect(ids.subtracting(Self.calls.keys).sorted() == [], "operations the SDK does not call")
        #expect(Set(Self.calls.keys).subtracting(ids).sorted() == [], "calls for operations the contract no longer has")
    }

    @Test(
        "each operation's request matches the contract and its example answer decodes",
        arguments: OpenAPIContract.shared.operations.map(\.id))
    func operation(_ id: String) async throws {
        let operation = try #require(OpenAPIContract.shared.operations.first { $0.id == id })
        let call = try #require(Self.calls[id], "no SDK call for \(operation)")
        let transport = RecordingTransport { request, _ in Self.answer(request) }
        let client = makeClient(transport)
        try await call(client, ContractExamples.shared)

        let requests = transport.requests
        try #require(!requests.isEmpty)
        for request in requests {
            let matched = OpenAPIContract.shared.operation(for: request)
            #expect(matched?.id == id, "\(request.method) \(request.target) is \(matched?.id ?? "no operation")")
            for problem in OpenAPIContract.shared.problems(with: request) {
                Issue.record("\(problem)")
            }
        }
        // A JSON body carries only the properties the schema declares, snake_case, and keeps the example's values.
        if let request = requests.first, let body = request.body, request.headers["Content-Type"]?.contains("json") == true,
            let schemaName = Self.requestSchemas[id]
        {
            let sent = try JSONDecoder().decode(JSONValue.self, from: body)
            let schema = try #require(ContractExamples.shared.schemas[schemaName])
            if !schema.additionalProperties {
                let extra = Set(sent.objectValue?.keys.map { $0 } ?? []).subtracting(schema.properties)
                #expect(extra.isEmpty, "\(schemaName): sent properties the contract does not declare: \(extra.sorted())")
            }
            if let example = schema.example?.objectValue {
                for (key, value) in example {
                    #expect(
                        sent[key].map { Self.sameJSON($0, value) } == true,
                        "\(schemaName).\(key): sent \(sent[key]?.text ?? "nothing"), example \(value.text)")
                }
            }
        }
    }

    /// The request body schema of each operation that takes JSON (from the contract's `requestBody`).
    static let requestSchemas: [String: String] = [
        "login": "LoginRequest", "createToken": "TokenCreateRequest", "provisionRunners": "RunnerProvisionRequest",
        "registerRunner": "RunnerRegistration", "bulkRunnerOperation": "BulkOperation", "updateRunner": "RunnerUpdate",
        "updateRunnerConfig": "RunnerConfiguration", "stopRunner": "RunnerStopRequest", "restartRunner": "RunnerStopRequest",
        "sendHeartbeat": "Heartbeat", "submitRunnerJob": "JobSpec", "submitJob": "JobSpec", "updateJob": "JobUpdate",
        "appendJobLogs": "LogBatch", "createInstance": "Instance", "stopAllInstances": "InstanceStopRequest",
        "updateInstance": "InstanceUpdate", "stopInstance": "InstanceStopRequest", "createProject": "Project",
        "createRun": "RunCreateRequest", "updateRun": "RunUpdate", "logRunMetrics": "MetricBatch",
        "compareRuns": "ComparisonRequest", "createArtifact": "Artifact", "setArtifactAlias": "ArtifactAliasUpdate",
        "updateConfig": "ServerConfigurationPatch", "createWebhook": "WebhookCreateRequest",
    ]

    /// Whether `sent` carries `example`: equal values, timestamps compared as instants (`…:00Z` and `…:00.000Z` are
    /// one time), and objects holding at least the example's members (a model may add fields it defaults, such as a
    /// GPU's `health`; top-level members are checked against the schema separately).
    static func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            if x == y { return true }
            if let first = RFC3339.date(from: x), let second = RFC3339.date(from: y) { return first == second }
            return false
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
        case (.object(let x), .object(let y)):
            return y.allSatisfy { key, value in x[key].map { sameJSON($0, value) } ?? false }
        default:
            return a == b
        }
    }
}

@Suite("The contract check itself")
struct ContractCheckTests {
    @Test("an undeclared query parameter, an unknown path and a missing body are reported")
    func reportsProblems() throws {
        let contract = OpenAPIContract.shared
        let wrongQuery = HTTPRequestData(method: "GET", url: URL(string: "http://h/v1/jobs?labels=a")!)
        #expect(contract.problems(with: wrongQuery).contains { $0.contains("`labels`") })
        let unknown = HTTPRequestData(method: "GET", url: URL(string: "http://h/v1/nothing")!)
        #expect(contract.problems(with: unknown).first?.contains("no operation") == true)
        let noBody = HTTPRequestData(method: "POST", url: URL(string: "http://h/v1/jobs")!)
        #expect(contract.problems(with: noBody).contains { $0.contains("requires a body") })
        let good = HTTPRequestData(method: "GET", url: URL(string: "http://h/v1/jobs?label=a&label=b&status=queued")!)
        #expect(contract.problems(with: good) == [])
    }

    @Test("a literal path segment wins over a parameter, and an encoded slash stays inside its segment")
    func matchesTemplates() {
        let contract = OpenAPIContract.shared
        let available = HTTPRequestData(method: "GET", url: URL(string: "http://h/v1/gpus/available")!)
        #expect(contract.operation(for: available)?.id == "listAvailableGPUs")
        let gpu = HTTPRequestData(method: "GET", url: URL(string: "http://h/v1/gpus/runner-1:gpu0")!)
        #expect(contract.operation(for: gpu)?.id == "getGPU")
        let encoded = HTTPRequestData(method: "GET", url: URL(string: "http://h/v1/runners/a%2Fb/status")!)
        #expect(contract.operation(for: encoded)?.id == "getRunnerStatus")
        let proxied = HTTPRequestData(method: "POST", url: URL(string: "http://h/v1/instances/llama/proxy/v1/chat/completions")!)
        #expect(contract.operation(for: proxied)?.id == "proxyInstancePost")
    }
}
