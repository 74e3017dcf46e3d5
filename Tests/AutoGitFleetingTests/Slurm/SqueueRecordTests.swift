import AutoGitCore
import Testing

@testable import AutoGitFleeting

@Suite("squeue parsing and Slurm states")
struct SqueueRecordTests {
    @Test("the fixed format parses every field, keeps empty ones and skips lines of another shape")
    func parse() {
        let s = "\u{1F}"
        let output = [
            ["42", "RUNNING", "None", "localhost", "2026-12-03T09:20:24", "p-0011aabb", "autogit:provider=p"].joined(separator: s),
            ["43", "FAILED", "BadConstraints", "", "2026-12-03T09:20:25", "p-0011aabc", "autogit:provider=p"].joined(separator: s),
            "slurm_load_jobs error: something",
            ["44", "PENDING", "Resources", "", "N/A", "name with spaces", "a comment \(s) with a separator"].joined(separator: s),
        ].joined(separator: "\n")
        let records = SqueueRecord.parse(output)
        #expect(records.map(\.jobID) == ["42", "43", "44"])
        #expect(records[0].instanceState == .running && records[0].nodes == "localhost" && records[0].meaningfulReason == nil)
        #expect(records[1].neverStarted && records[1].meaningfulReason == "BadConstraints")
        #expect(!records[0].neverStarted && !records[2].neverStarted)
        #expect(records[2].comment == "a comment \(s) with a separator")
        #expect(SlurmTime.date(records[0].submitTime) != nil && SlurmTime.date("N/A") == nil)
    }

    @Test(
        "Slurm job states map to instance states",
        arguments: [
            ("PENDING", FleetingInstanceState.creating), ("CONFIGURING", .creating), ("RUNNING", .running),
            ("COMPLETING", .deleting), ("FAILED", .failed), ("NODE_FAIL", .failed), ("BOOT_FAIL", .failed),
            ("PREEMPTED", .preempted), ("COMPLETED", .gone), ("CANCELLED", .gone), ("TIMEOUT", .gone),
            ("SUSPENDED", .running), ("PENDING,REQUEUED", .creating), ("running", .running), ("NEW_STATE", .unknown("new_state")),
        ])
    func states(slurm: String, expected: FleetingInstanceState) {
        #expect(SlurmJobState.instanceState(slurm) == expected)
    }

    @Test("runner names carry the provider and eight hex digits, and belong only to their provider")
    func runnerNames() {
        let name = RunnerNames.make(provider: "slurm")
        #expect(RunnerNames.belongs(name, to: "slurm"))
        #expect(!RunnerNames.belongs("slurm-a100-0011aabb", to: "slurm"))
        #expect(RunnerNames.belongs("slurm-a100-0011aabb", to: "slurm-a100"))
    }
}
