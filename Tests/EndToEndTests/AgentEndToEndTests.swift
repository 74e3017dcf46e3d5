import AutoGitClient
import AutoGitCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Jobs run for real: an embedded server on loopback and `autogit runner` agents as child processes, each step a
/// real shell. Every wait is bounded and every process is stopped at the end, also when a test fails.
@Suite("End to end: jobs on real runner agents", .serialized, .timeLimit(.minutes(3)))
struct AgentEndToEndTests {
    static func job(
        _ name: String, _ steps: [(String, String)], environment: [String: String] = [:], timeout: Int = 120,
        retries: Int = 0, gpus: Int = 0, labels: [String] = []
    ) -> JobSpec {
        JobSpec(
            name: name, steps: steps.map { JobStep(name: $0.0, run: $0.1) }, environment: environment, timeout: timeout,
            retryCount: retries,
            requirements: JobRequirements(labels: labels, gpu: gpus > 0 ? GPURequirement(count: gpus, type: "a100") : nil))
    }

    /// The number in a file a step wrote (a pid), once it is there.
    static func number(in path: String, fleet: AgentFleet) async throws -> pid_t {
        try await fleet.waitFor("\(path) to be written", within: 60) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Waits until the job's log holds a line with `message`.
    static func waitForLine(_ message: String, of jobID: String, fleet: AgentFleet) async throws {
        _ = try await fleet.waitFor("the line '\(message)' of job \(jobID)", within: 60) {
            try await fleet.logLines(jobID).contains { $0.message == message } ? true : nil
        }
    }

    @Test("a two-step job runs on an agent; its steps see the job's id, the runner's id and the job's environment")
    func twoStepsSeeTheirEnvironment() async throws {
        try await withAgentFleet { fleet in
            let (_, runner) = try await fleet.startAgent("env")
            let submitted = try await fleet.admin.jobs.submit(
                Self.job(
                    "env",
                    [
                        ("first", #"echo "job=$AUTOGIT_JOB_ID runner=$AUTOGIT_RUNNER_ID color=$COLOR step=$AUTOGIT_STEP_NAME""#),
                        ("second", #"echo "second attempt=$AUTOGIT_JOB_ATTEMPT color=$COLOR"; echo "to stderr" >&2"#),
                    ], environment: ["COLOR": "teal"]))
            let job = try await fleet.finished(submitted.id)
            #expect(job.status == .succeeded && job.exitCode == 0 && job.runnerID == runner.id, "\(job.status): \(job.statusReason ?? "")")
            #expect(job.stepResults.map(\.status) == [.succeeded, .succeeded])
            let lines = try await fleet.logLines(job.id)
            let stdout = lines.filter { $0.stream == .stdout }
            #expect(stdout.map(\.message) == ["job=\(job.id) runner=\(runner.id) color=teal step=first", "second attempt=1 color=teal"])
            #expect(stdout.map(\.step) == ["first", "second"])
            #expect(lines.contains { $0.stream == .stderr && $0.message == "to stderr" && $0.step == "second" })
            #expect(lines.map(\.sequence) == Array(1...lines.count).map { Optional($0) }, "numbered without gaps")
        }
    }

    @Test("a job's timeout kills the step's whole process group, a background sleep included")
    func timeoutKillsGrandchild() async throws {
        try await withAgentFleet { fleet in
            try await fleet.startAgent("timeout")
            let groupFile = fleet.directory + "/timeout.pgid"
            let sleepFile = fleet.directory + "/timeout-sleep.pid"
            let submitted = try await fleet.admin.jobs.submit(
                Self.job("slow", [("hang", "echo $$ > \(groupFile); sleep 300 & echo $! > \(sleepFile); echo started; wait")], timeout: 2))
            fleet.adoptProcessGroup(try await Self.number(in: groupFile, fleet: fleet))
            let sleeper = try await Self.number(in: sleepFile, fleet: fleet)
            let job = try await fleet.finished(submitted.id)
            #expect(job.status == .timedOut && job.stepResults.first?.status == .timedOut)
            _ = try await fleet.waitFor("the background sleep \(sleeper) to be gone", within: 30) { isGone(sleeper) ? true : nil }
            #expect(isGone(sleeper))
        }
    }

    @Test("cancelling a running job stops its step on the agent")
    func cancelMidRun() async throws {
        try await withAgentFleet { fleet in
            try await fleet.startAgent("cancel")
            let groupFile = fleet.directory + "/cancel.pgid"
            let submitted = try await fleet.admin.jobs.submit(
                Self.job("long", [("wait", "echo $$ > \(groupFile); echo started; sleep 120; echo never")]))
            let group = try await Self.number(in: groupFile, fleet: fleet)
            fleet.adoptProcessGroup(group)
            try await Self.waitForLine("started", of: submitted.id, fleet: fleet)
            let cancelled = try await fleet.admin.jobs.cancel(submitted.id)
            #expect(cancelled.status == .cancelled && cancelled.cancelRequested)
            let reported = try await fleet.waitFor("the agent to report the cancelled step") {
                let job = try await fleet.admin.jobs.get(submitted.id)
                return job.stepResults.first?.status == .cancelled ? job : nil
            }
            #expect(reported.status == .cancelled)
            _ = try await fleet.waitFor("the step's shell to be gone", within: 30) { isGone(group) ? true : nil }
            #expect(try await !fleet.logLines(submitted.id).contains { $0.message == "never" })
        }
    }

    @Test("an agent killed with SIGKILL mid-job: the job is queued again, runs on the other runner and succeeds")
    func killedAgentsJobMovesOn() async throws {
        try await withAgentFleet { fleet in
            let first = try await fleet.startAgent("one")
            let second = try await fleet.startAgent("two")
            let groupFile = fleet.directory + "/attempt1.pgid"
            let submitted = try await fleet.admin.jobs.submit(
                Self.job(
                    "survivor",
                    [
                        ("where", #"echo "attempt $AUTOGIT_JOB_ATTEMPT on $AUTOGIT_RUNNER_ID""#),
                        (
                            "work",
                            #"if [ "$AUTOGIT_JOB_ATTEMPT" = 1 ]; then echo $$ > \#(groupFile); echo waiting; exec sleep 120; fi; echo done"#
                        ),
                    ], retries: 1))
            try await Self.waitForLine("waiting", of: submitted.id, fleet: fleet)
            // The step's group outlives a SIGKILLed agent (nothing is left to stop it): the test removes it.
            let orphan = try await Self.number(in: groupFile, fleet: fleet)
            fleet.adoptProcessGroup(orphan)
            let running = try await fleet.admin.jobs.get(submitted.id)
            let (victim, survivor) = running.runnerID == first.runner.id ? (first, second) : (second, first)
            #expect(running.status == .running && running.runnerID == victim.runner.id)
            kill(victim.agent.pid, SIGKILL)
            kill(-orphan, SIGKILL)

            let job = try await fleet.finished(submitted.id)
            #expect(job.status == .succeeded && job.attempt == 2 && job.runnerID == survivor.runner.id)
            #expect(try await fleet.admin.runners.get(victim.runner.id).status == .offline)
            let lines = try await fleet.logLines(job.id)
            #expect(lines.map(\.sequence) == Array(1...lines.count).map { Optional($0) }, "one log, numbered across attempts")
            let messages = lines.map(\.message)
            let firstAttempt = try #require(messages.firstIndex(of: "attempt 1 on \(victim.runner.id)"))
            let marker = try #require(messages.firstIndex(of: "Attempt 2 of 2 on runner \(survivor.runner.id)"))
            let secondAttempt = try #require(messages.firstIndex(of: "attempt 2 on \(survivor.runner.id)"))
            #expect(firstAttempt < marker && marker < secondAttempt && messages.last?.hasPrefix("Step 'work' succeeded") == true)

            // `autogit jobs logs` shows both attempts, in order.
            let cli = try BinaryProcess.start(
                ["jobs", "logs", job.id, "--server", fleet.server.server.baseURL.absoluteString, "--token", fleet.server.adminToken],
                environment: ["PATH": "/usr/bin:/bin", "HOME": fleet.directory], timeLimit: .seconds(60))
            #expect(await cli.wait() == 0)
            let printed = cli.text.split(separator: "\n").map(String.init)
            let printedFirst = try #require(printed.firstIndex { $0.hasSuffix("attempt 1 on \(victim.runner.id)") })
            let printedSecond = try #require(printed.firstIndex { $0.hasSuffix("attempt 2 on \(survivor.runner.id)") })
            #expect(printedFirst < printedSecond && printed.contains { $0.hasSuffix("done") })
        }
    }

    @Test("a GPU job gets GPUs from the agent's inventory: in its record and in its step's CUDA_VISIBLE_DEVICES")
    func gpuAllocationReachesTheStep() async throws {
        try await withAgentFleet { fleet in
            let (_, runner) = try await fleet.startAgent("gpu", gpus: 2)
            #expect(runner.gpus.map(\.model) == ["NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"])
            let show = #"echo "cuda=[$CUDA_VISIBLE_DEVICES] nvidia=[$NVIDIA_VISIBLE_DEVICES]""#
            let gpuJob = try await fleet.admin.jobs.submit(Self.job("gpu", [("show", show)], gpus: 1))
            let cpuJob = try await fleet.admin.jobs.submit(Self.job("cpu", [("show", show)]))
            let gpuDone = try await fleet.finished(gpuJob.id)
            let cpuDone = try await fleet.finished(cpuJob.id)
            #expect(gpuDone.status == .succeeded && gpuDone.runnerID == runner.id && gpuDone.gpuIndices == [0])
            #expect(try await fleet.logLines(gpuJob.id).contains { $0.message == "cuda=[0] nvidia=[0]" })
            #expect(cpuDone.status == .succeeded && cpuDone.gpuIndices.isEmpty)
            #expect(try await fleet.logLines(cpuJob.id).contains { $0.message == "cuda=[] nvidia=[]" }, "a CPU job sees no GPU")
            let gpus = try await fleet.admin.gpus.list(runnerID: runner.id).collect()
            #expect(gpus.allSatisfy { $0.allocatedJobID == nil }, "freed when the job ended")
        }
    }

    @Test("two jobs running at once on one agent never get the same GPU")
    func concurrentJobsGetDistinctGPUs() async throws {
        try await withAgentFleet { fleet in
            let (_, runner) = try await fleet.startAgent("pair", gpus: 2, concurrency: 2)
            let marks = fleet.directory + "/marks"
            try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
            // Each step waits (up to 60 s) until both have started, so they hold their GPUs at the same time.
            let step = #"""
                echo "cuda=$CUDA_VISIBLE_DEVICES"; touch \#(marks)/$AUTOGIT_JOB_ID
                for i in $(seq 600); do [ $(ls \#(marks) | wc -l) -ge 2 ] && break; sleep 0.1; done; echo together
                """#
            let submitted = [
                try await fleet.admin.jobs.submit(Self.job("a", [("hold", step)], gpus: 1)),
                try await fleet.admin.jobs.submit(Self.job("b", [("hold", step)], gpus: 1)),
            ]
            var seen: [Int] = []
            for job in submitted {
                let done = try await fleet.finished(job.id)
                #expect(done.status == .succeeded && done.runnerID == runner.id && done.gpuIndices.count == 1)
                let lines = try await fleet.logLines(job.id).map(\.message)
                #expect(lines.contains("cuda=\(done.gpuIndices.first ?? -1)") && lines.contains("together"))
                seen += done.gpuIndices
            }
            #expect(seen.sorted() == [0, 1])
        }
    }

    @Test("SIGTERM drains an agent: the running job finishes, no new job is taken, the agent exits 0")
    func drainOnSigterm() async throws {
        try await withAgentFleet { fleet in
            let (agent, runner) = try await fleet.startAgent("drain")
            let groupFile = fleet.directory + "/drain.pgid"
            let running = try await fleet.admin.jobs.submit(
                Self.job("running", [("work", "echo $$ > \(groupFile); echo started; sleep 2; echo finished")]))
            fleet.adoptProcessGroup(try await Self.number(in: groupFile, fleet: fleet))
            try await Self.waitForLine("started", of: running.id, fleet: fleet)
            kill(agent.pid, SIGTERM)
            let later = try await fleet.admin.jobs.submit(Self.job("later", [("never", "echo ran")]))

            let done = try await fleet.finished(running.id)
            #expect(done.status == .succeeded && done.runnerID == runner.id)
            #expect(try await fleet.logLines(running.id).contains { $0.message == "finished" })
            let ending = try await fleet.waitFor("the agent to exit", within: 60) { await fleet.exitDescription(of: agent) }
            #expect(ending == "exited with status 0", "\(fleet.log(of: agent))")
            let untouched = try await fleet.admin.jobs.get(later.id)
            #expect(untouched.status == .queued && untouched.runnerID == nil && untouched.attempt == 1)
            // It signed off with its own token: the runner is gone, not left to go offline.
            await #expect {
                _ = try await fleet.admin.runners.get(runner.id)
            } throws: { ($0 as? AutoGitError)?.status == 404 }
            #expect(fleet.log(of: agent).contains("deregistered runner \(runner.id)"))
        }
    }

    @Test("an idle agent that drains hangs up its poll: a job submitted afterwards waits for, and runs on, another agent")
    func idleDrainTakesNothing() async throws {
        try await withAgentFleet { fleet in
            let (idle, idleRunner) = try await fleet.startAgent("idle")
            // Its first poll is open once the server shows it took part in a pass; give it a job to be sure it polls.
            let warmUp = try await fleet.admin.jobs.submit(Self.job("warm-up", [("echo", "echo warm")]))
            #expect(try await fleet.finished(warmUp.id).runnerID == idleRunner.id)
            kill(idle.pid, SIGTERM)
            let ending = try await fleet.waitFor("the idle agent to exit", within: 60) { await fleet.exitDescription(of: idle) }
            #expect(ending == "exited with status 0", "\(fleet.log(of: idle))")

            let job = try await fleet.admin.jobs.submit(Self.job("after", [("echo", "echo after")]))
            let (_, other) = try await fleet.startAgent("other")
            let done = try await fleet.finished(job.id)
            #expect(done.status == .succeeded && done.runnerID == other.id && done.attempt == 1)
            // The drained agent removed its runner on the way out, before the job was submitted: nothing could be
            // assigned to it.
            await #expect {
                _ = try await fleet.admin.runners.get(idleRunner.id)
            } throws: { ($0 as? AutoGitError)?.status == 404 }
        }
    }
}
