import AutoGitCore
import Foundation
import Testing

@testable import AutoGitRunner

#if canImport(Glibc)
import Glibc
#endif

@Suite("step executor")
struct StepExecutorTests {
    let executor = StepExecutor(killGracePeriod: .seconds(5))

    @Test("a step runs with /bin/sh in its working directory with exactly the environment given")
    func environmentAndDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = LineCollector()
        let outcome = try await executor.run(
            #"pwd; echo "greeting=$GREETING"; echo "home=${HOME:-unset}"; echo "gpus=$CUDA_VISIBLE_DEVICES""#, in: directory.path,
            environment: ["GREETING": "hello world", "CUDA_VISIBLE_DEVICES": "1,3"], deadline: nil, control: ExecutionControl()
        ) { lines.add($0.rawValue, $1) }
        #expect(outcome.exitStatus == .exited(0))
        #expect(outcome.stopReason == nil)
        let output = lines.lines(of: "stdout")
        #expect(output.count == 4)
        #expect(
            URL(fileURLWithPath: output.first ?? "").resolvingSymlinksInPath().path
                == URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path)
        #expect(output.dropFirst() == ["greeting=hello world", "home=unset", "gpus=1,3"])
    }

    @Test("exit codes come back as the shell reports them: the code, or 128 plus the killing signal")
    func exitCodes() async throws {
        let control = ExecutionControl()
        let three = try await executor.run("echo bye >&2; exit 3", in: "/", environment: [:], deadline: nil, control: control) { _, _ in }
        #expect(three.exitStatus == .exited(3))
        #expect(three.exitStatus.code == 3)
        let killed = try await executor.run("kill -9 $$", in: "/", environment: [:], deadline: nil, control: control) { _, _ in }
        #expect(killed.exitStatus == .signalled(9))
        #expect(killed.exitStatus.code == 137)
    }

    @Test("fast, large output on both streams loses no line and keeps each stream's order")
    func largeOutput() async throws {
        let lines = LineCollector()
        let outcome = try await executor.run(
            "seq 1 200000 & seq 1 50000 | sed 's/^/err /' >&2; wait; printf 'no newline at the end'", in: "/",
            environment: ["PATH": "/usr/bin:/bin"], deadline: nil, control: ExecutionControl()
        ) { lines.add($0.rawValue, $1) }
        #expect(outcome.exitStatus == .exited(0))
        #expect(outcome.isOutputComplete)
        let output = lines.lines(of: "stdout")
        #expect(output.count == 200_001)
        #expect(output.prefix(200_000) == (1...200_000).map(String.init)[...])
        #expect(output.last == "no newline at the end")
        #expect(lines.lines(of: "stderr") == (1...50_000).map { "err \($0)" })
    }

    @Test("a timeout kills the whole process group, a sleeping grandchild included")
    func timeoutKillsGrandchild() async throws {
        let reaper = ChildReaper()
        defer { reaper.killAll() }
        let outcome = try await executor.run(
            "sleep 300 & echo $!; wait", in: "/", environment: ["PATH": "/usr/bin:/bin"], deadline: .now + .milliseconds(500),
            control: ExecutionControl()
        ) { _, line in reaper.track(line) }
        #expect(outcome.stopReason == .timedOut)
        #expect(outcome.exitStatus == .signalled(15))
        let grandchild = try #require(reaper.tracked.first)
        #expect(await eventually("the sleep grandchild to die") { isGone(grandchild) })
    }

    @Test("cancelling mid-run stops the process group at once")
    func cancelMidRun() async throws {
        let reaper = ChildReaper()
        defer { reaper.killAll() }
        let control = ExecutionControl()
        let outcome = try await executor.run(
            "sleep 300 & echo $!; wait", in: "/", environment: ["PATH": "/usr/bin:/bin"], deadline: nil, control: control
        ) { _, line in
            reaper.track(line)
            control.stop(.cancelled("test"), grace: .seconds(5))
        }
        #expect(outcome.stopReason == .cancelled("test"))
        let grandchild = try #require(reaper.tracked.first)
        #expect(await eventually("the sleep grandchild to die") { isGone(grandchild) })
    }

    @Test("a group that ignores SIGTERM is killed with SIGKILL after the grace period")
    func graceThenKill() async throws {
        let reaper = ChildReaper()
        defer { reaper.killAll() }
        let control = ExecutionControl()
        let outcome = try await StepExecutor(killGracePeriod: .milliseconds(300)).run(
            "trap '' TERM; sleep 300 & echo $!; wait; wait", in: "/", environment: ["PATH": "/usr/bin:/bin"], deadline: nil,
            control: control
        ) { _, line in
            reaper.track(line)
            control.stop(.cancelled("test"), grace: .milliseconds(300))
        }
        #expect(outcome.exitStatus == .signalled(9))
        let grandchild = try #require(reaper.tracked.first)
        #expect(await eventually("the sleep grandchild to die") { isGone(grandchild) })
    }

    @Test("processes a step leaves running in the background are stopped when it ends")
    func leftoversAreStopped() async throws {
        let reaper = ChildReaper()
        defer { reaper.killAll() }
        let outcome = try await executor.run(
            "sleep 300 & echo $!", in: "/", environment: ["PATH": "/usr/bin:/bin"], deadline: nil, control: ExecutionControl()
        ) { _, line in reaper.track(line) }
        #expect(outcome.exitStatus == .exited(0))
        let leftover = try #require(reaper.tracked.first)
        #expect(await eventually("the background sleep to die") { isGone(leftover) })
    }

    @Test("a job stopped before its step starts has the step's group terminated at once")
    func stoppedBeforeStart() async throws {
        let control = ExecutionControl()
        control.stop(.cancelled("early"), grace: .seconds(1))
        let outcome = try await executor.run(
            "sleep 300", in: "/", environment: ["PATH": "/usr/bin:/bin"], deadline: nil, control: control
        ) { _, _ in }
        #expect(outcome.stopReason == .cancelled("early"))
        #expect(outcome.exitStatus == .signalled(15))
    }

    @Test("a step inherits no descriptor the agent opened without close-on-exec, only its three standard ones")
    func noInheritedDescriptors() async throws {
        var leaky: [Int32] = [-1, -1]
        #expect(pipe(&leaky) == 0)
        defer {
            close(leaky[0])
            close(leaky[1])
        }
        let lines = LineCollector()
        let outcome = try await executor.run(
            "ls /proc/$$/fd", in: "/", environment: ["PATH": "/usr/bin:/bin"], deadline: nil, control: ExecutionControl()
        ) { lines.add($0.rawValue, $1) }
        #expect(outcome.exitStatus == .exited(0))
        let descriptors = Set(lines.lines(of: "stdout").compactMap { Int32($0) })
        #expect(descriptors.isSuperset(of: [0, 1, 2]))
        #expect(!descriptors.contains(leaky[0]) && !descriptors.contains(leaky[1]), "\(descriptors) includes \(leaky)")
    }

    @Test("a step whose working directory is missing fails to start with SPAWN_FAILED")
    func missingDirectory() async {
        await #expect(throws: RunnerError.self) {
            _ = try await executor.run("true", in: "/nonexistent-\(UUID())", environment: [:], deadline: nil, control: ExecutionControl()) {
                _, _ in
            }
        }
    }
}
