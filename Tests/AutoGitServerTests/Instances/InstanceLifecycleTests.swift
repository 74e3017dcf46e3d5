import AutoGitCore
import AutoGitHTTP
import Foundation
import Testing

@testable import AutoGitServer

#if canImport(Glibc)
import Glibc
#endif

extension InstanceProcessSuites {
    @Suite("Instances: lifecycle with real processes", .timeLimit(.minutes(2)))
    struct InstanceLifecycleTests {
        @Test("create → start → healthy → proxy → logs → stop, with every transition reported")
        func fullLifecycle() async throws {
            try await InstanceHarness.run { harness in
                let events = EventBus()
                let manager = try harness.makeManager(events: events)
                let created = try await manager.create(httpServerInstance("web"))
                #expect(created.status == .stopped)
                let port = try #require(created.port)
                #expect(harness.portRange.contains(port))

                let starting = try await manager.start("web")
                #expect(starting.status == .starting)
                let running = try await manager.waitUntilRunning("web", timeout: .seconds(20))
                let pid = try #require(running.pid)
                #expect(running.status == .running)

                let health = try await manager.health("web")
                #expect(health.status == .healthy)
                #expect(health.checks == ["process": "running", "port": "open", "response": "ok"])

                let stats = try #require(try await manager.get("web").stats)
                #expect((stats.memoryUsage ?? 0) > 0)
                #expect((stats.cpuUsage ?? -1) >= 0)
                #expect(stats.uptime != nil)

                let request = HTTPRequest(method: .get, target: "/v1/instances/web/proxy/?marker=lifecycle")
                let response = try await manager.proxy("web", path: "", request: request)
                #expect(response.status.code == 200)
                guard case .bytes(let body) = response.body else {
                    Issue.record("a small answer with Content-Length is passed on whole")
                    return
                }
                #expect(String(decoding: body, as: UTF8.self).contains("Directory listing"))

                let logged = try await eventually {
                    try await manager.logs("web").contains { $0.message.contains("GET /?marker=lifecycle") && $0.stream == .stderr }
                }
                #expect(logged)
                let systemLines = try await manager.logs("web").filter { $0.stream == .system }.map(\.message)
                #expect(systemLines.contains { $0.contains("starting on port \(port)") })

                let stopped = try await manager.stop("web")
                #expect(stopped.status == .stopped)
                #expect(stopped.pid == nil)
                #expect(ProcFS.isGone(pid))
                #expect(
                    harness.recorder.transitions(of: "web") == [
                        "stopped→starting", "starting→running", "running→stopping", "stopping→stopped",
                    ])

                let published = events.events(after: nil, types: [.instanceStatusChanged]).map(\.payload)
                #expect(published.count == 4)
                #expect(
                    published.first == ["instance": "web", "old_status": "stopped", "new_status": "starting", "reason": "start requested"])
                #expect(published.last?["new_status"] == "stopped")

                try await manager.delete("web")
                let missing = await serverError { _ = try await manager.get("web") }
                #expect(missing?.status == 404)
                #expect(missing?.code == .instanceNotFound)
            }
        }

        @Test("a stop that SIGTERM does not end escalates to SIGKILL and takes the whole process group")
        func stopEscalates() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                // Both the server and a background child ignore SIGTERM.
                let command = "trap '' TERM; sleep 300 & exec python3 -m http.server {port} --bind {host}"
                _ = try await manager.create(Instance(name: "stubborn", backend: .custom, command: command))
                _ = try await manager.start("stubborn")
                let pid = try #require(try await manager.waitUntilRunning("stubborn", timeout: .seconds(20)).pid)
                let members = ProcFS.members(ofGroup: pid)
                #expect(members.count >= 2)

                let stopped = try await manager.stop("stubborn", timeout: .seconds(1))
                #expect(stopped.status == .stopped)
                let allGone = await eventually { members.allSatisfy { ProcFS.isGone($0.pid, startTicks: $0.startTicks) } }
                #expect(allGone)
                #expect(try await manager.logs("stubborn").contains { $0.message.contains("sending SIGKILL") })
            }
        }

        @Test("an instance inherits no descriptor of the server beyond stdin, stdout and stderr")
        func noInheritedDescriptors() async throws {
            try await InstanceHarness.run { harness in
                // A pipe opened without close-on-exec, as Foundation's Pipe of another child may be at any moment.
                var pipe: [Int32] = [-1, -1]
                #expect(Glibc.pipe(&pipe) == 0)
                defer { Glibc.close(pipe[0]) }
                let manager = try harness.makeManager()
                _ = try await manager.create(httpServerInstance("sealed"))
                _ = try await manager.start("sealed")
                let pid = try #require(try await manager.waitUntilRunning("sealed", timeout: .seconds(20)).pid)

                let pipeTarget = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(pipe[1])")
                let childTargets = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap {
                    try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")
                }
                #expect(!childTargets.isEmpty)
                #expect(!childTargets.contains(pipeTarget))
                // So closing our write end ends the pipe at once.
                Glibc.close(pipe[1])
                var poller = pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)
                #expect(poll(&poller, 1, 0) == 1 && poller.revents & Int16(POLLHUP) != 0)
            }
        }

        @Test("an on-demand instance starts with its first proxied request and stops after its idle timeout")
        func onDemand() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                _ = try await manager.create(httpServerInstance("lazy", onDemand: true, idleTimeout: 1))
                #expect(try await manager.get("lazy").status == .stopped)

                let response = try await manager.proxy("lazy", path: "", request: HTTPRequest(method: .get, target: "/"))
                #expect(response.status.code == 200)
                let pid = try #require(try await manager.get("lazy").pid)
                #expect(try await manager.get("lazy").status == .running)

                let stopped = try await eventually { try await manager.get("lazy").status == .stopped }
                #expect(stopped)
                #expect(ProcFS.isGone(pid))
                let reasons = harness.recorder.changes(of: "lazy").compactMap(\.reason)
                #expect(reasons.contains { $0.contains("on-demand start") })
                #expect(reasons.contains { $0.contains("idle for 1s") })

                let notOnDemand = try await manager.create(httpServerInstance("manual"))
                let refused = await serverError {
                    _ = try await manager.proxy("manual", path: "", request: HTTPRequest(method: .get, target: "/"))
                }
                #expect(refused?.status == 503)
                #expect(notOnDemand.status == .stopped)
            }
        }

        @Test("concurrent requests to a stopped on-demand instance share one start")
        func onDemandConcurrent() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                _ = try await manager.create(httpServerInstance("shared", onDemand: true))
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<5 {
                        group.addTask {
                            let request = HTTPRequest(method: .get, target: "/?request=\(index)")
                            return try await manager.proxy("shared", path: "", request: request).status.code
                        }
                    }
                    var codes: [Int] = []
                    for try await code in group { codes.append(code) }
                    return codes
                }
                #expect(statuses == [200, 200, 200, 200, 200])
                #expect(harness.recorder.transitions(of: "shared") == ["stopped→starting", "starting→running"])
            }
        }

        @Test("a crash is restarted under on-failure, counted, and gives up after max_restarts")
        func crashRestartsOnFailure() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                let policy = RestartPolicy(mode: .onFailure, maxRestarts: 1, backoffSeconds: 0.1)
                _ = try await manager.create(httpServerInstance("crashy", policy: policy))
                _ = try await manager.start("crashy")
                let first = try #require(try await manager.waitUntilRunning("crashy", timeout: .seconds(20)).pid)

                kill(first, SIGKILL)
                let restarted = try await eventually {
                    let instance = try await manager.get("crashy")
                    return instance.status == .running && instance.pid != nil && instance.pid != first
                }
                #expect(restarted)
                let again = try await manager.get("crashy")
                #expect(again.restarts == 1)
                #expect(again.lastError?.contains("signal 9") == true)
                #expect(ProcFS.isGone(first))

                let second = try #require(again.pid)
                kill(second, SIGKILL)
                let failed = try await eventually { try await manager.get("crashy").status == .failed }
                #expect(failed)
                let final = try await manager.get("crashy")
                #expect(final.restarts == 1)
                #expect(final.pid == nil)
                #expect(harness.recorder.changes(of: "crashy").last?.reason?.contains("max_restarts (1) reached") == true)
            }
        }

        @Test("a crash under the never policy leaves the instance failed, not restarted")
        func crashWithNever() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                _ = try await manager.create(httpServerInstance("fragile", policy: RestartPolicy(mode: .never)))
                _ = try await manager.start("fragile")
                let pid = try #require(try await manager.waitUntilRunning("fragile", timeout: .seconds(20)).pid)

                kill(pid, SIGKILL)
                let failed = try await eventually { try await manager.get("fragile").status == .failed }
                #expect(failed)
                let instance = try await manager.get("fragile")
                #expect(instance.restarts == 0)
                #expect(instance.pid == nil)
                #expect(instance.lastError?.contains("killed by signal 9") == true)
                #expect(!harness.recorder.transitions(of: "fragile").contains("failed→starting"))

                // A failed instance starts again on request.
                _ = try await manager.start("fragile")
                #expect(try await manager.waitUntilRunning("fragile", timeout: .seconds(20)).status == .running)
            }
        }

        @Test("an instance whose health probe fails is restarted by its policy")
        func failingProbeRestarts() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                // Answers its probe for the first two seconds, then 500 on every request.
                let script = try harness.script(
                    "sickly.py",
                    """
                    import http.server, sys, time
                    born = time.time()
                    class Handler(http.server.BaseHTTPRequestHandler):
                        def do_GET(self):
                            self.send_response(200 if time.time() - born < 2 else 500)
                            self.send_header("Content-Length", "0")
                            self.end_headers()
                        def log_message(self, *args):
                            pass
                    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
                    """)
                let policy = RestartPolicy(mode: .onFailure, maxRestarts: 1, backoffSeconds: 0)
                _ = try await manager.create(
                    Instance(name: "sickly", backend: .custom, command: "exec python3 \(script) {port}", restartPolicy: policy))
                _ = try await manager.start("sickly")
                let first = try #require(try await manager.waitUntilRunning("sickly", timeout: .seconds(20)).pid)
                let restarted = try await eventually { try await manager.get("sickly").restarts == 1 }
                #expect(restarted)
                #expect(try await manager.get("sickly").lastError?.contains("health probe failed") == true)
                let gone = await eventually { ProcFS.isGone(first) }
                #expect(gone)
            }
        }

        @Test("a port that another program listens on is refused with a clear 409 naming it")
        func portCollision() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                let listener = try #require(ForeignListener.anywhere(in: harness.portRange))
                defer { listener.close() }

                let taken = await serverError { _ = try await manager.create(httpServerInstance("clash", port: listener.port)) }
                #expect(taken?.status == 409)
                #expect(taken?.message.contains("Port \(listener.port) is already in use") == true)
                #expect(taken?.details?["port"]?.intValue == listener.port)

                // Two instances never share a port.
                let first = try await manager.create(httpServerInstance("first"))
                let twin = await serverError { _ = try await manager.create(httpServerInstance("twin", port: first.port)) }
                #expect(twin?.status == 409)
                #expect(twin?.message.contains("instance 'first'") == true)

                // A given port taken after creation: the start fails with 409 and the instance is failed.
                let own = try await manager.create(httpServerInstance("own", port: harness.portRange.lowerBound + 150))
                let ownPort = try #require(own.port)
                let squatter = try #require(ForeignListener(port: ownPort))
                defer { squatter.close() }
                let startRefused = await serverError { _ = try await manager.start("own") }
                #expect(startRefused?.status == 409)
                #expect(try await manager.get("own").status == .failed)

                // An allocated port taken after creation is replaced by a free one.
                let allocated = try await manager.create(httpServerInstance("roaming"))
                let allocatedPort = try #require(allocated.port)
                let thief = try #require(ForeignListener(port: allocatedPort))
                defer { thief.close() }
                _ = try await manager.start("roaming")
                let moved = try await manager.waitUntilRunning("roaming", timeout: .seconds(20))
                #expect(moved.port != allocatedPort)
                #expect(moved.port.map(harness.portRange.contains) == true)
            }
        }

        @Test("starting one more than max_running stops the least recently used instance")
        func leastRecentlyUsedEviction() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager(maxRunning: 2)
                for name in ["a", "b", "c"] { _ = try await manager.create(httpServerInstance(name)) }
                _ = try await manager.start("a")
                _ = try await manager.waitUntilRunning("a", timeout: .seconds(20))
                _ = try await manager.start("b")
                _ = try await manager.waitUntilRunning("b", timeout: .seconds(20))
                // Traffic to "a" makes "b" the least recently used.
                _ = try await manager.proxy("a", path: "", request: HTTPRequest(method: .get, target: "/"))

                _ = try await manager.start("c")
                #expect(try await manager.get("b").status == .stopped)
                _ = try await manager.waitUntilRunning("c", timeout: .seconds(20))
                #expect(try await manager.get("a").status == .running)
                #expect(harness.recorder.changes(of: "b").contains { $0.reason?.contains("least recently used") == true })

                let batch = await manager.startAll()
                #expect(batch.results.map(\.name) == ["b"])
                #expect(batch.results.first?.success == false)
                #expect(batch.results.first?.error?.code == .resourceUnavailable)

                let stopped = await manager.stopAll()
                #expect(stopped.success)
                #expect(Set(stopped.results.map(\.name)) == ["a", "c"])
                #expect(await manager.list(status: .running).isEmpty)
            }
        }

        @Test("a GPU request gets its visibility variable, and a GPU is never given to two instances")
        func gpuAllocation() async throws {
            try await InstanceHarness.run { harness in
                let pool = InstanceGPUPool(gpus: ["0"])
                let manager = try harness.makeManager(gpuAllocator: pool)
                let command = "echo visible=$CUDA_VISIBLE_DEVICES; exec python3 -m http.server {port} --bind {host}"
                _ = try await manager.create(Instance(name: "gpu-a", backend: .custom, command: command, gpu: GPURequirement(count: 1)))
                _ = try await manager.create(Instance(name: "gpu-b", backend: .custom, command: command, gpu: GPURequirement(count: 1)))
                _ = try await manager.start("gpu-a")
                _ = try await manager.waitUntilRunning("gpu-a", timeout: .seconds(20))
                #expect(try await manager.logs("gpu-a").contains { $0.message == "visible=0" && $0.stream == .stdout })
                #expect(await pool.allocations == ["gpu-a": ["0"]])

                let refused = await serverError { _ = try await manager.start("gpu-b") }
                #expect(refused?.status == 503)
                #expect(refused?.code == .resourceUnavailable)
                #expect(try await manager.get("gpu-b").status == .failed)

                _ = try await manager.stop("gpu-a")
                #expect(await pool.allocations.isEmpty)
                _ = try await manager.start("gpu-b")
                _ = try await manager.waitUntilRunning("gpu-b", timeout: .seconds(20))
                #expect(await pool.allocations == ["gpu-b": ["0"]])

            }
        }

        @Test("without GPUs to give, a GPU request is refused with 503 and the instance is failed")
        func noGPUs() async throws {
            try await InstanceHarness.run { harness in
                let manager = try harness.makeManager()
                _ = try await manager.create(
                    Instance(name: "wants-gpu", backend: .custom, command: "exec sleep 30", gpu: GPURequirement(count: 1)))
                let refused = await serverError { _ = try await manager.start("wants-gpu") }
                #expect(refused?.status == 503)
                #expect(refused?.code == .resourceUnavailable)
                #expect(try await manager.get("wants-gpu").status == .failed)
                #expect(try await manager.get("wants-gpu").lastError?.contains("GPU") == true)
            }
        }
    }
}
