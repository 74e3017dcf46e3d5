import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// The jobs group through the SDK: a user submits and follows, an agent takes the job, reports and uploads.
@Suite("SDK end to end: jobs and the agent's side", .timeLimit(.minutes(2)))
struct JobEndToEndTests {
    func line(_ sequence: Int, _ message: String) -> LogEntry {
        LogEntry(sequence: sequence, timestamp: Date(), message: message, stream: .stdout, step: "train")
    }

    @Test("a job is submitted, taken by a matching runner, reported on, and its logs are followed to the end")
    func agentFlow() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (runner, agent) = try await server.registerAgent("worker", labels: ["linux", "cuda"], gpus: [EmbeddedServer.gpu(0)])
            let spec = JobSpec(
                name: "train", steps: [JobStep(name: "prepare", run: "echo prep"), JobStep(name: "train", run: "python train.py")],
                environment: ["EPOCHS": "3"], retryCount: 1,
                requirements: JobRequirements(labels: ["cuda"], gpu: GPURequirement(count: 1, type: "a100")), priority: 5)
            let job = try await admin.jobs.submit(spec)
            #expect(job.status == .queued && job.spec.timeout == 3600 && job.spec.environment["EPOCHS"] == "3")
            #expect(try await admin.jobs.list(status: [.queued, .running]).collect().map(\.id) == [job.id])
            #expect(try await admin.jobs.list(labels: ["cuda"]).collect().count == 1)
            #expect(try await admin.jobs.list(labels: ["rocm"]).collect().isEmpty)

            let follower = admin.jobs.logs(job.id, follow: true)
            let followed = Task { () throws -> [String] in
                var messages: [String] = []
                for try await entry in follower { messages.append(entry.message) }
                return messages
            }
            let assigned = try #require(try await agent.runners.requestJob(runner.id, wait: 5))
            #expect(assigned.id == job.id && assigned.status == .assigned && assigned.gpuIndices == [0])
            #expect(try await agent.jobs.get(job.id).runnerID == runner.id)
            #expect(try await agent.jobs.update(job.id, JobUpdate(status: .running)).status == .running)
            let first = try await agent.jobs.appendLogs(job.id, [line(1, "prep"), line(2, "epoch 1"), line(3, "epoch 2")])
            #expect(first == LogBatchResult(accepted: 3, lastSequence: 3))
            // A batch retried after a lost answer is neither lost nor duplicated.
            let retried = try await agent.jobs.appendLogs(job.id, [line(2, "epoch 1"), line(3, "epoch 2"), line(4, "epoch 3")])
            #expect(retried == LogBatchResult(accepted: 1, lastSequence: 4))
            await #expect {
                try await agent.jobs.appendLogs(job.id, [line(9, "skipped ahead")])
            } throws: { error in
                let error = error as? AutoGitError
                return error?.code == .conflict && error?.details?["last_sequence"]?.intValue == 4
            }
            let results = [
                StepResult(name: "prepare", status: .succeeded, exitCode: 0), StepResult(name: "train", status: .succeeded, exitCode: 0),
            ]
            let done = try await agent.jobs.update(job.id, JobUpdate(status: .succeeded, exitCode: 0, stepResults: results))
            #expect(done.status == .succeeded && done.completedAt != nil)
            #expect(try await followed.value == ["prep", "epoch 1", "epoch 2", "epoch 3"])

            #expect(try await admin.jobs.logPage(job.id, lines: 2).items.map(\.message) == ["epoch 2", "epoch 3"])
            #expect(try await admin.jobs.logPage(job.id, after: 3).items.map(\.sequence) == [4])
            var replay: [Int] = []
            for try await entry in admin.jobs.logs(job.id, after: 2, follow: true) { replay.append(entry.sequence ?? 0) }
            #expect(replay == [3, 4], "following a finished job sends what is stored and ends")
            await #expect {
                try await admin.jobs.cancel(job.id)
            } throws: { error in (error as? AutoGitError)?.code == .invalidStateTransition }
            let statistics = try await admin.runners.get(runner.id).statistics
            #expect(statistics?.successfulJobs == 1)
            #expect(try await admin.gpus.available().collect().count == 1, "the GPU is free again")
        }
    }

    @Test("a waiting long poll is answered as soon as a job arrives; a failed job is retried within retry_count")
    func longPollAndRetry() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (runner, agent) = try await server.registerAgent("poller")
            let poll = Task { try await agent.runners.requestJob(runner.id, wait: 20) }
            // The poll is waiting (or about to); the job reaches it either way.
            try await Task.sleep(for: .milliseconds(200))
            let job = try await admin.jobs.submit(JobSpec(name: "flaky", steps: [JobStep(name: "s", run: "false")], retryCount: 1))
            #expect(try await poll.value?.id == job.id)
            _ = try await agent.jobs.update(job.id, JobUpdate(status: .running))
            let failed = try await agent.jobs.update(job.id, JobUpdate(status: .failed, exitCode: 1))
            #expect(failed.status == .queued && failed.attempt == 2, "one retry left, so back in the queue")
            let again = try #require(try await agent.runners.requestJob(runner.id, wait: 5))
            #expect(again.id == job.id && again.attempt == 2)
            _ = try await agent.jobs.update(job.id, JobUpdate(status: .failed, exitCode: 1))
            #expect(try await admin.jobs.get(job.id).status == .failed)
            #expect(try await agent.runners.requestJob(runner.id, wait: 0) == nil)
        }
    }

    @Test("cancelling a queued job ends it at once; a running one is cancelled and its runner told at the next heartbeat")
    func cancel() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let (runner, agent) = try await server.registerAgent("canceller")
            let queued = try await admin.jobs.submit(JobSpec(name: "never", steps: [JobStep(name: "s", run: "sleep 1")], priority: -1))
            let running = try await admin.jobs.submit(JobSpec(name: "running", steps: [JobStep(name: "s", run: "sleep 100")], priority: 9))
            #expect(try await agent.runners.requestJob(runner.id, wait: 5)?.id == running.id, "higher priority first")
            _ = try await agent.jobs.update(running.id, JobUpdate(status: .running))
            #expect(try await admin.jobs.cancel(queued.id).status == .cancelled)
            let cancelled = try await admin.jobs.cancel(running.id)
            #expect(cancelled.status == .cancelled && cancelled.cancelRequested)
            let acknowledgement = try await agent.runners.heartbeat(runner.id, Heartbeat(runningJobIDs: [running.id]))
            #expect(acknowledgement.cancelJobIDs == [running.id])
            let viewer = server.client(.bearer(try await admin.tokens.create(name: "viewer", role: .viewer).token ?? ""))
            await #expect {
                try await viewer.jobs.cancel(running.id)
            } throws: { error in (error as? AutoGitError)?.status == 403 }
        }
    }
}
