import AutoGitCore
import Foundation
import Testing

/// Every status and type enum decodes values this version does not know, and writes them back unchanged.
@Suite("Enums keep values they do not know")
struct ExtensibleEnumTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let check: @Sendable () throws -> Void
        var testDescription: String { name }
    }

    static func enumCase<E: ExtensibleEnum & CaseIterable>(_ type: E.Type) -> Case {
        Case(name: String(describing: type)) {
            let unknown = try AutoGitJSON.decode(E.self, from: Data(#""from-the-future""#.utf8))
            #expect(unknown.rawValue == "from-the-future")
            #expect(!E.allCases.contains(unknown))
            #expect(String(decoding: try AutoGitJSON.encode(unknown), as: UTF8.self) == #""from-the-future""#)
            for known in E.allCases {
                let data = try AutoGitJSON.encode(known)
                #expect(try AutoGitJSON.decode(E.self, from: data) == known)
                #expect(E(rawValue: known.rawValue) == known)
            }
            // A list containing an unknown value still decodes as a whole.
            let mixed = try AutoGitJSON.decode([E].self, from: Data("[\"\(E.allCases.first!.rawValue)\", \"zzz\"]".utf8))
            #expect(mixed.count == 2)
        }
    }

    static let cases: [Case] = [
        enumCase(RunnerStatus.self), enumCase(RunnerType.self), enumCase(Architecture.self), enumCase(HealthState.self),
        enumCase(HealthCheck.Status.self), enumCase(CleanupPolicy.self), enumCase(BulkOperation.Kind.self),
        enumCase(GPUVendor.self), enumCase(GPU.Health.self), enumCase(JobStatus.self), enumCase(StepResult.Status.self),
        enumCase(LogLevel.self), enumCase(LogStream.self), enumCase(InstanceStatus.self), enumCase(InstanceBackend.self),
        enumCase(RestartPolicy.Mode.self), enumCase(RunStatus.self), enumCase(OptimizationMode.self),
        enumCase(EventType.self), enumCase(WebhookDelivery.Status.self), enumCase(Role.self),
    ]

    @Test("unknown values decode and re-encode unchanged", arguments: cases)
    func unknownValues(_ testCase: Case) throws {
        try testCase.check()
    }

    @Test("a runner with a status from a newer server still decodes")
    func runnerWithNewStatus() throws {
        let json = #"{"id": "r1", "name": "r1", "type": "firecracker", "status": "hibernating"}"#
        let runner = try AutoGitJSON.decode(Runner.self, from: Data(json.utf8))
        #expect(runner.status == .unknown("hibernating"))
        #expect(runner.type == .unknown("firecracker"))
        #expect(!runner.status.acceptsJobs)
    }

    @Test(
        "architectures and vendors are normalised",
        arguments: [
            ("x86_64", Architecture.amd64), ("aarch64", .arm64), ("AMD64", .amd64), ("arm64", .arm64),
        ])
    func architectureAliases(raw: String, expected: Architecture) {
        #expect(Architecture(rawValue: raw) == expected)
    }

    @Test("job statuses know which are final")
    func finalStatuses() {
        #expect(JobStatus.allCases.filter(\.isFinal) == [.succeeded, .failed, .cancelled, .timedOut])
        #expect(JobStatus.timedOut.rawValue == "timed_out")
        #expect(!JobStatus.unknown("paused").isFinal)
    }

    @Test("log levels order by severity")
    func logLevelOrder() {
        #expect(LogLevel.debug < .info && LogLevel.info < .warn && LogLevel.warn < .error)
        #expect(LogLevel(rawValue: "WARNING") == .warn)
    }
}
