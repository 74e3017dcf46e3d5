import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Jobs and their runs after a restart")
struct JobRunRecoveryTests {
    @Test("a stored job whose run was never created (a crash in between) gets it at start, with the job's final status")
    func missingRunIsCreated() async throws {
        let directory = TemporaryDirectory("autogit-recovery")
        let runID = "20240101_000000_abcdef"
        let store = try DurableStore(directory: directory.path)
        let spec = JobSpec(
            name: "orphan", steps: [JobStep(name: "s", run: "true")],
            experiment: JobExperiment(runID: runID, project: "recovered", params: ["lr": 0.1]))
        let started = Date(timeIntervalSince1970: 1_700_000_000)
        let job = Job(
            id: "job-recovered", spec: spec, status: .succeeded, createdAt: started, startedAt: started,
            completedAt: started.addingTimeInterval(60))
        try await store.commit(try StoreChange.put(Fleet.Collection.jobs, job.id, job))
        await store.close()

        let server = try await RunningServer.start(directory: directory)
        do {
            var run: ExperimentRun?
            for _ in 0..<200 {
                let answer = try await server.request("GET", "/v1/runs/\(runID)", token: server.admin)
                if answer.status == 200, let decoded = try? answer.decode(ExperimentRun.self), decoded.status == .finished {
                    run = decoded
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let recovered = try #require(run)
            #expect(recovered.project == "recovered" && recovered.jobID == job.id && recovered.params == ["lr": 0.1])
            #expect(recovered.summary["duration_seconds"] == 60)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }
}
