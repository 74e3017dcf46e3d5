import AutoGitCore
import Foundation
import Testing

/// The JSON examples of the seed systems' API documents (../shared/seeds), decoded with AutoGit's models and
/// round-tripped. Examples of things AutoGit does not model (PEFT Studio platforms, model search, adapters,
/// deployments, training configs) are not copied.
@Suite("Seed API examples")
struct SeedExampleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let path: String
        let check: @Sendable (Data) throws -> Void
        var testDescription: String { path }
    }

    static func example<T: Codable & Equatable & Sendable>(_ path: String, as type: T.Type) -> Example {
        Example(path: path) { data in try roundTrip(type, data) }
    }

    static func errorExample(_ path: String, code: String?, message: String) -> Example {
        Example(path: path) { data in
            let body = try #require(APIErrorBody.decode(from: data, fallbackCode: "HTTP_ERROR"))
            #expect(body.code.rawValue == (code ?? "HTTP_ERROR"))
            #expect(body.message == message)
        }
    }

    static let examples: [Example] = [
        // AutoGit
        example("seeds/autogit/provision-request.json", as: RunnerProvisionRequest.self),
        // RustCI
        example("seeds/rustci/register-request.json", as: RunnerRegistration.self),
        example("seeds/rustci/register-response.json", as: RunnerRegistrationResult.self),
        example("seeds/rustci/list-runners.json", as: Page<Runner>.self),
        example("seeds/rustci/get-runner.json", as: Runner.self),
        example("seeds/rustci/update-runner-request.json", as: RunnerUpdate.self),
        example("seeds/rustci/update-runner-response.json", as: ActionResult.self),
        example("seeds/rustci/delete-runner-response.json", as: ActionResult.self),
        example("seeds/rustci/runner-status.json", as: RunnerStatusReport.self),
        example("seeds/rustci/runner-health.json", as: RunnerHealth.self),
        example("seeds/rustci/runner-metrics.json", as: RunnerMetrics.self),
        example("seeds/rustci/submit-job-request.json", as: JobSpec.self),
        example("seeds/rustci/submit-job-response.json", as: ActionResult.self),
        example("seeds/rustci/runner-jobs.json", as: Page<Job>.self),
        example("seeds/rustci/runner-config.json", as: RunnerConfigurationDocument.self),
        example("seeds/rustci/update-config-request.json", as: RunnerConfiguration.self),
        example("seeds/rustci/update-config-response.json", as: ActionResult.self),
        example("seeds/rustci/start-response.json", as: ActionResult.self),
        example("seeds/rustci/stop-request.json", as: RunnerStopRequest.self),
        example("seeds/rustci/stop-response.json", as: ActionResult.self),
        example("seeds/rustci/restart-request.json", as: RunnerStopRequest.self),
        example("seeds/rustci/restart-response.json", as: ActionResult.self),
        example("seeds/rustci/runner-logs.json", as: Page<LogEntry>.self),
        example("seeds/rustci/bulk-request.json", as: BulkOperation.self),
        example("seeds/rustci/bulk-response.json", as: BulkOperationResult.self),
        example("seeds/rustci/ws-runner-status-change.json", as: Event.self),
        errorExample("seeds/rustci/error.json", code: "RUNNER_NOT_FOUND", message: "Runner with ID 'runner_123' not found"),
        // LlamaCtl
        example("seeds/llamactl/list-instances.json", as: Page<Instance>.self),
        example("seeds/llamactl/get-instance.json", as: Instance.self),
        example("seeds/llamactl/create-instance-request.json", as: Instance.self),
        Example(path: "seeds/llamactl/create-instance-response.json") { data in
            let wrapper = try roundTrip([String: JSONValue].self, data)
            let instance = try #require(wrapper["instance"]).decode(as: Instance.self)
            #expect(instance.name == "my-instance")
            #expect(instance.status == .stopped)
            try roundTrip(Instance.self, AutoGitJSON.encode(instance))
        },
        example("seeds/llamactl/update-instance-request.json", as: InstanceUpdate.self),
        example("seeds/llamactl/delete-instance-response.json", as: ActionResult.self),
        example("seeds/llamactl/start-response.json", as: ActionResult.self),
        example("seeds/llamactl/stop-request.json", as: InstanceStopRequest.self),
        example("seeds/llamactl/stop-response.json", as: ActionResult.self),
        example("seeds/llamactl/instance-health.json", as: InstanceHealth.self),
        example("seeds/llamactl/instance-logs.json", as: Page<LogEntry>.self),
        example("seeds/llamactl/system-status.json", as: SystemStatus.self),
        example("seeds/llamactl/system-info.json", as: SystemInfo.self),
        example("seeds/llamactl/login-request.json", as: LoginRequest.self),
        example("seeds/llamactl/login-response.json", as: SessionToken.self),
        errorExample("seeds/llamactl/error.json", code: "ERROR_CODE", message: "Error message"),
        // Runicorn
        example("seeds/runicorn/health.json", as: ServiceHealth.self),
        errorExample("seeds/runicorn/error.json", code: nil, message: "Error message description"),
        errorExample(
            "seeds/runicorn/error-400.json", code: nil,
            message: "Invalid run_id format: abc123. Expected format: YYYYMMDD_HHMMSS_XXXXXX"),
        errorExample("seeds/runicorn/error-404.json", code: nil, message: "Run not found: 20250101_120000_abc123"),
        errorExample("seeds/runicorn/error-429.json", code: nil, message: "Rate limit exceeded"),
        errorExample("seeds/runicorn/error-500.json", code: nil, message: "Failed to query database: connection timeout"),
        // PEFT Studio
        example("seeds/peft-studio/create-job-response.json", as: Job.self),
        example("seeds/peft-studio/list-jobs.json", as: Page<Job>.self),
        example("seeds/peft-studio/get-job.json", as: Job.self),
        example("seeds/peft-studio/cancel-job-response.json", as: ActionResult.self),
        example("seeds/peft-studio/job-logs.json", as: Page<LogEntry>.self),
        example("seeds/peft-studio/list-resources.json", as: Page<Offer>.self),
        example("seeds/peft-studio/resource-pricing.json", as: Offer.self),
        example("seeds/peft-studio/list-experiments.json", as: Page<ExperimentRun>.self),
        example("seeds/peft-studio/compare-request.json", as: ComparisonRequest.self),
        Example(path: "seeds/peft-studio/compare-response.json") { data in
            let wrapper = try AutoGitJSON.decode([String: Comparison].self, from: data)
            let comparison = try #require(wrapper["comparison"])
            #expect(comparison.bestPerformer == "exp_ghi789")
            #expect(comparison.metrics["loss"] == [0.234, 0.256])
            #expect(comparison.costAnalysis?.totalCosts == [2.45, 3.20])
            try roundTrip(Comparison.self, AutoGitJSON.encode(comparison))
        },
        example("seeds/peft-studio/ws-status.json", as: Event.self),
        example("seeds/peft-studio/ws-metrics.json", as: Event.self),
        example("seeds/peft-studio/ws-log.json", as: Event.self),
        example("seeds/peft-studio/ws-error.json", as: Event.self),
        errorExample("seeds/peft-studio/error.json", code: "INVALID_CONFIG", message: "Training configuration is invalid"),
    ]

    @Test("each seed example decodes and round-trips", arguments: examples)
    func decodesAndRoundTrips(_ example: Example) throws {
        try example.check(Fixtures.data(example.path))
    }

    @Test("every copied seed example is checked")
    func everyFixtureIsChecked() {
        let checked = Set(Self.examples.map(\.path))
        let present = Fixtures.files(under: "seeds")
        #expect(present.count >= 60)
        for path in present {
            #expect(checked.contains(path), "fixture \(path) has no decoding check")
        }
    }

    @Test("a RustCI runner's os, arch and times are read from its metadata")
    func runnerFallsBackToMetadata() throws {
        let runner = try AutoGitJSON.decode(Runner.self, from: Fixtures.data("seeds/rustci/get-runner.json"))
        #expect(runner.id == "runner_123e4567-e89b-12d3-a456-426614174000")
        #expect(runner.type == .docker)
        #expect(runner.status == .active)
        #expect(runner.architecture == .amd64)
        #expect(runner.os == "linux")
        #expect(runner.registeredAt == RFC3339.date(from: "2024-01-15T09:00:00Z"))
        #expect(runner.lastSeen == RFC3339.date(from: "2024-01-15T10:30:00Z"))
        #expect(runner.resources == RunnerResources(cpuCores: 4, memoryGB: 8, diskGB: 100))
        #expect(runner.currentLoad?.activeJobs == 2)
        #expect(runner.currentLoad?.diskUsage == 25.8)
        #expect(runner.statistics?.successfulJobs == 145)
        #expect(runner.metadata["docker_version"] == "24.0.0")
    }

    @Test("seed lists decode with their totals")
    func listsKeepTotals() throws {
        let runners = try AutoGitJSON.decode(Page<Runner>.self, from: Fixtures.data("seeds/rustci/list-runners.json"))
        #expect(runners.items.count == 1)
        #expect(runners.totalCount == 1)
        #expect(runners.hasMore == false)
        let jobs = try AutoGitJSON.decode(Page<Job>.self, from: Fixtures.data("seeds/peft-studio/list-jobs.json"))
        #expect(jobs.totalCount == 10)
        #expect(jobs.hasMore)
    }

    @Test("seed jobs keep their ids, statuses and exit codes")
    func jobsDecode() throws {
        let page = try AutoGitJSON.decode(Page<Job>.self, from: Fixtures.data("seeds/rustci/runner-jobs.json"))
        let job = try #require(page.items.first)
        #expect(job.id == "job_456e7890-e89b-12d3-a456-426614174000")
        #expect(job.status == .unknown("completed"))
        #expect(job.exitCode == 0)
        #expect(job.duration == 240)
        let spec = try AutoGitJSON.decode(JobSpec.self, from: Fixtures.data("seeds/rustci/submit-job-request.json"))
        #expect(spec.steps.map(\.name) == ["setup", "build", "test"])
        #expect(spec.environment == ["NODE_ENV": "test", "DEBUG": "true"])
        #expect(spec.timeout == 300)
        #expect(spec.retryCount == 2)
    }

    @Test("log levels in other spellings read as the canonical ones")
    func logLevelsNormalise() throws {
        let logs = try AutoGitJSON.decode(Page<LogEntry>.self, from: Fixtures.data("seeds/peft-studio/job-logs.json"))
        #expect(logs.items.map(\.level) == [.info, .info])
        let runnerLogs = try AutoGitJSON.decode(Page<LogEntry>.self, from: Fixtures.data("seeds/rustci/runner-logs.json"))
        #expect(runnerLogs.items.first?.context?["step"] == "setup")
    }

    @Test("PEFT Studio experiments and resources map onto runs and offers")
    func peftShapes() throws {
        let runs = try AutoGitJSON.decode(Page<ExperimentRun>.self, from: Fixtures.data("seeds/peft-studio/list-experiments.json"))
        let run = try #require(runs.items.first)
        #expect(run.status == .finished)
        #expect(run.project == "my-finetuning")
        #expect(run.summary["best_loss"] == 0.221)
        let offers = try AutoGitJSON.decode(Page<Offer>.self, from: Fixtures.data("seeds/peft-studio/list-resources.json"))
        let offer = try #require(offers.items.first)
        #expect(offer.gpuType == "RTX 4090")
        #expect(offer.hourlyPrice == 0.69)
        #expect(offer.gpuMemoryGB == 24)
        #expect(offer.currency == "USD")
        let pricing = try AutoGitJSON.decode(Offer.self, from: Fixtures.data("seeds/peft-studio/resource-pricing.json"))
        #expect(pricing.id == "gpu-rtx4090")
        #expect(pricing.billingIncrement == 60)
    }

    @Test("event messages without a payload member keep their data as the payload")
    func eventPayloadFromSiblings() throws {
        let event = try AutoGitJSON.decode(Event.self, from: Fixtures.data("seeds/rustci/ws-runner-status-change.json"))
        #expect(event.type == .unknown("runner_status_change"))
        #expect(event.payload["new_status"] == "inactive")
        #expect(event.payload["runner_id"] == "runner_123e4567-e89b-12d3-a456-426614174000")
    }

    @Test("Runicorn's numeric health timestamp reads as a date")
    func numericTimestamp() throws {
        let health = try AutoGitJSON.decode(ServiceHealth.self, from: Fixtures.data("seeds/runicorn/health.json"))
        #expect(health.isHealthy)
        #expect(health.version == "0.5.4")
        #expect(health.timestamp == Date(timeIntervalSince1970: 1_704_067_200))
    }
}
