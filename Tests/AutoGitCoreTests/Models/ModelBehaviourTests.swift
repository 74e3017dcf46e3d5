import AutoGitCore
import Foundation
import Testing

@Suite("Model behaviour")
struct ModelBehaviourTests {
    static let a100 = GPU(index: 0, model: "NVIDIA A100-SXM4-80GB", memoryTotalMB: 81_920)
    static let rtx = GPU(index: 1, model: "NVIDIA GeForce RTX 4090", memoryTotalMB: 24_564)
    static let mi = GPU(index: 0, vendor: .amd, model: "AMD Instinct MI250X", memoryTotalMB: 65_536)

    @Test(
        "GPU types match families case-insensitively",
        arguments: [
            (a100, "a100", true), (a100, "A100", true), (a100, "nvidia", true), (a100, "h100", false),
            (a100, "a100-80gb", true), (a100, "a10", false), (rtx, "rtx 4090", true), (rtx, "4090", true),
            (rtx, "rtx-3090", false), (mi, "mi250x", true), (mi, "amd", true), (mi, "nvidia", false),
        ])
    func gpuTypeMatching(gpu: GPU, type: String, matches: Bool) {
        #expect(gpu.matches(type: type) == matches)
    }

    @Test("a GPU requirement checks type and memory")
    func gpuRequirement() {
        #expect(GPURequirement(count: 1, type: "a100", minMemoryGB: 80).accepts(Self.a100))
        #expect(!GPURequirement(count: 1, type: "a100", minMemoryGB: 81).accepts(Self.a100))
        #expect(!GPURequirement(count: 1, minMemoryGB: 40).accepts(Self.rtx))
        #expect(GPURequirement(count: 1).accepts(Self.mi))
    }

    @Test("GPU availability needs health and no holder")
    func gpuAvailability() {
        var gpu = Self.a100
        #expect(gpu.isAvailable)
        gpu.allocatedJobID = "job_1"
        #expect(!gpu.isAvailable)
        gpu.allocatedJobID = nil
        gpu.health = .unhealthy
        #expect(!gpu.isAvailable)
        #expect(GPU(index: 3, model: "x", memoryTotalMB: 1, runnerID: "runner_a").id == "runner_a:gpu3")
    }

    static let validSpec = JobSpec(name: "train", steps: [JobStep(name: "fit", run: "python train.py")])

    @Test("a valid job spec passes validation")
    func validSpec() throws {
        try Self.validSpec.validate()
        var spec = Self.validSpec
        spec.requirements = JobRequirements(labels: ["gpu"], architecture: .amd64, gpu: GPURequirement(count: 2, type: "a100"))
        spec.environment = ["_PRIVATE": "1", "LR": "3e-4"]
        spec.timeout = 600
        try spec.validate()
    }

    @Test(
        "invalid job specs name the offending field",
        arguments: [
            ("name", { @Sendable (spec: inout JobSpec) in spec.name = "  " }),
            ("steps", { @Sendable (spec: inout JobSpec) in spec.steps = [] }),
            ("steps[0].run", { @Sendable (spec: inout JobSpec) in spec.steps[0].run = "" }),
            ("steps[0].name", { @Sendable (spec: inout JobSpec) in spec.steps[0].name = "" }),
            ("timeout", { @Sendable (spec: inout JobSpec) in spec.timeout = 0 }),
            ("timeout", { @Sendable (spec: inout JobSpec) in spec.timeout = 10_000_000 }),
            ("retry_count", { @Sendable (spec: inout JobSpec) in spec.retryCount = -1 }),
            ("retry_count", { @Sendable (spec: inout JobSpec) in spec.retryCount = 11 }),
            ("environment.1BAD", { @Sendable (spec: inout JobSpec) in spec.environment = ["1BAD": "x"] }),
            ("requirements.gpu.count", { @Sendable (spec: inout JobSpec) in spec.requirements.gpu = GPURequirement(count: -1) }),
            (
                "requirements.gpu.min_memory_gb",
                { @Sendable (spec: inout JobSpec) in spec.requirements.gpu = GPURequirement(minMemoryGB: -2) }
            ),
            ("requirements.architecture", { @Sendable (spec: inout JobSpec) in spec.requirements.architecture = .unknown("vax") }),
            ("requirements.labels[0]", { @Sendable (spec: inout JobSpec) in spec.requirements.labels = [""] }),
        ] as [(String, @Sendable (inout JobSpec) -> Void)])
    func invalidSpecs(field: String, mutate: @Sendable (inout JobSpec) -> Void) {
        var spec = Self.validSpec
        mutate(&spec)
        #expect {
            try spec.validate()
        } throws: { error in
            (error as? CoreError)?.field == field && (error as? CoreError)?.code == .validationFailed
        }
    }

    @Test("a job writes its spec's fields beside its own")
    func jobWireShape() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        var job = Job(id: "job_1", spec: Self.validSpec, createdAt: created)
        job.status = .succeeded
        job.startedAt = created.addingTimeInterval(1)
        job.completedAt = created.addingTimeInterval(11)
        job.gpuIndices = [0, 1]
        job.stepResults = [StepResult(name: "fit", status: .succeeded, exitCode: 0, startedAt: job.startedAt, completedAt: job.completedAt)]
        let object = try JSONValue(encoding: job)
        #expect(object["id"] == "job_1")
        #expect(object["name"] == "train")
        #expect(object["steps"]?.arrayValue?.count == 1)
        #expect(object["gpu_indices"] == [0, 1])
        #expect(object["duration"] == 10)
        #expect(object["step_results"]?.arrayValue?.first?["duration"] == 10)
        #expect(object["created_at"] == "2023-11-14T22:13:20Z")
        try roundTrip(Job.self, AutoGitJSON.encode(job))
    }

    @Test("a page computes has_more from offset and total when a server leaves it out")
    func pageHasMore() throws {
        let page = try AutoGitJSON.decode(Page<Int>.self, from: Data(#"{"items": [1, 2], "total_count": 5, "offset": 2}"#.utf8))
        #expect(page.hasMore)
        let last = try AutoGitJSON.decode(Page<Int>.self, from: Data(#"{"items": [5], "total_count": 5, "offset": 4}"#.utf8))
        #expect(!last.hasMore)
        let encoded = String(decoding: try AutoGitJSON.encode(Page(items: [1], totalCount: 3, hasMore: true)), as: UTF8.self)
        #expect(encoded == #"{"has_more":true,"items":[1],"total_count":3}"#)
    }

    @Test("runner configuration updates change only the fields they carry")
    func configurationUpdate() {
        let base = RunnerConfiguration(
            maxConcurrentJobs: 2, jobTimeout: 600, resourceLimits: ResourceLimits(cpuLimit: "1000m", memoryLimit: "2Gi"))
        let updated = base.applying(RunnerConfiguration(jobTimeout: 1200, resourceLimits: ResourceLimits(memoryLimit: "8Gi")))
        #expect(updated.maxConcurrentJobs == 2)
        #expect(updated.jobTimeout == 1200)
        #expect(updated.resourceLimits == ResourceLimits(cpuLimit: "1000m", memoryLimit: "8Gi"))
    }

    @Test("health checks keep their measurements beside the status")
    func healthCheckDetails() throws {
        let check = try roundTrip(HealthCheck.self, Data(#"{"status": "pass", "response_time_ms": 15}"#.utf8))
        #expect(check.status == .pass)
        #expect(check.details["response_time_ms"] == 15)
        #expect(String(decoding: try AutoGitJSON.encode(check), as: UTF8.self) == #"{"response_time_ms":15,"status":"pass"}"#)
    }

    @Test("artifact versions read \"v3\" and 3 alike")
    func artifactVersions() throws {
        let text = try AutoGitJSON.decode(ArtifactVersion.self, from: Data(#"{"name": "m", "version": "v3", "sha256": "ab"}"#.utf8))
        let number = try AutoGitJSON.decode(ArtifactVersion.self, from: Data(#"{"name": "m", "version": 3, "sha256": "ab"}"#.utf8))
        #expect(text == number)
        #expect(text.label == "v3")
    }

    @Test("roles order by power, runners apart")
    func roles() {
        #expect(Role.viewer < .operator && Role.operator < .admin)
        #expect(Role.runner < .viewer)
    }
}
