import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// The `autogit` binary as a user runs it, against `autogit serve` on a loopback port: table and JSON output, and
/// the exit codes scripts depend on.
@Suite("The CLI against a real server", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: binaryPath)))
struct CLIAgainstServerTests {
    private func withServer(_ body: (ServeProcess) async throws -> Void) async throws {
        let server = try await ServeProcess.start()
        defer { server.stop() }
        try await body(server)
    }

    private func json(_ text: String) throws -> JSONValue {
        try AutoGitJSON.decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test("runners: register, list as a table and as JSON, get, an invalid stop is exit 5, an unknown id exit 3")
    func runners() async throws {
        try await withServer { server in
            let registered = try await server.autogit(["runners", "register", "--name", "gpu-box", "--label", "cuda,linux", "-q"])
            #expect(registered.status == 0, "\(registered.error)")
            let id = registered.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id.hasPrefix("runner-"))

            let table = try await server.autogit(["runners", "list"])
            #expect(table.status == 0)
            let lines = table.output.split(separator: "\n")
            #expect(lines.first?.hasPrefix("ID") == true)
            #expect(lines.count == 2)
            #expect(lines.last?.contains("gpu-box") == true && lines.last?.contains("cuda,linux") == true)

            let listed = try json(try await server.autogit(["runners", "list", "-o", "json"]).output)
            #expect(listed["total_count"]?.intValue == 1)
            #expect(listed["items"]?.arrayValue?.first?["name"]?.stringValue == "gpu-box")

            let details = try await server.autogit(["runners", "get", id])
            #expect(details.output.contains("Name:") && details.output.contains("gpu-box"))
            #expect(try await server.autogit(["runners", "stop", id]).status == 0)
            let again = try await server.autogit(["runners", "stop", id])
            #expect(again.status == 5)
            #expect(again.error.contains("INVALID_STATE_TRANSITION"))
            let missing = try await server.autogit(["runners", "get", "runner-nope"])
            #expect(missing.status == 3)
            #expect(missing.output.isEmpty)
            #expect(missing.error.hasPrefix("error: ") && missing.error.contains("RUNNER_NOT_FOUND"))
            let empty = try await server.autogit(["runners", "list", "--status", "busy"])
            #expect(empty.status == 0 && empty.output.isEmpty && empty.error == "No results.\n")
        }
    }

    @Test("jobs: submit from flags, list, get as JSON, cancel; cancelling a final job is exit 5; a bad spec is exit 2")
    func jobs() async throws {
        try await withServer { server in
            let submitted = try await server.autogit([
                "jobs", "submit", "--name", "train", "--gpus", "1", "-e", "EPOCHS=3", "-q", "--", "python3", "train.py",
            ])
            #expect(submitted.status == 0, "\(submitted.error)")
            let id = submitted.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let job = try json(try await server.autogit(["jobs", "get", id, "-o", "json"]).output)
            #expect(job["status"]?.stringValue == "queued")
            #expect(job["environment"]?["EPOCHS"]?.stringValue == "3")
            #expect(job["requirements"]?["gpu"]?["count"]?.intValue == 1)
            #expect(job["steps"]?.arrayValue?.first?["run"]?.stringValue == "python3 train.py")
            #expect(try await server.autogit(["jobs", "list", "--status", "queued", "-q"]).output == id + "\n")

            let cancelled = try await server.autogit(["jobs", "cancel", id])
            #expect(cancelled.status == 0)
            #expect(cancelled.output == "Cancelled job \(id).\n")
            #expect(try await server.autogit(["jobs", "cancel", id]).status == 5)

            let invalid = try await server.autogit(["jobs", "submit", "--timeout", "0", "--", "true"])
            #expect(invalid.status == 2)
        }
    }

    @Test("jobs submit --wait streams the job's output and exits with its exit code")
    func submitAndWait() async throws {
        try await withServer { server in
            let admin = AutoGitClient(baseURL: URL(string: server.url)!, credentials: .bearer(server.adminToken))
            let registration = try await admin.tokens.create(name: "agent", role: .runner)
            let agent = AutoGitClient(baseURL: URL(string: server.url)!, credentials: .bearer(registration.token ?? ""))
            let runner = try await agent.runners.register(RunnerRegistration(name: "fake-agent", labels: ["e2e"]))
            let runnerClient = agent.with(credentials: .bearer(runner.token))
            // The test plays the runner agent: take the job, report output and a failing exit code.
            let fakeAgent = Task {
                var job: Job?
                while job == nil { job = try await runnerClient.runners.requestJob(runner.runnerID, wait: 5) }
                guard let job else { return }
                try await runnerClient.jobs.update(job.id, JobUpdate(status: .running))
                let lines = ["loading data", "epoch 1 loss=0.5"].enumerated().map { index, text in
                    LogEntry(sequence: index + 1, timestamp: Date(), level: .info, message: text, stream: .stdout, step: "main")
                }
                _ = try await runnerClient.jobs.appendLogs(job.id, lines)
                try await runnerClient.jobs.update(
                    job.id,
                    JobUpdate(status: .failed, exitCode: 3, stepResults: [StepResult(name: "main", status: .failed, exitCode: 3)]))
            }
            defer { fakeAgent.cancel() }
            let result = try await server.autogit(
                ["jobs", "submit", "--label", "e2e", "--wait", "--", "./train.sh"], timeLimit: .seconds(30))
            #expect(!result.timedOut)
            try await fakeAgent.value
            #expect(result.status == 3, "\(result.error)")
            #expect(result.output == "loading data\nepoch 1 loss=0.5\n")
            #expect(result.error.contains("failed with exit code 3"))
        }
    }

    @Test("a viewer token cannot write (exit 4), an unknown token is exit 4, and no token at all is exit 4")
    func forbidden() async throws {
        try await withServer { server in
            let created = try await server.autogit(["tokens", "create", "--name", "dashboard", "--role", "viewer", "-q"])
            let viewer = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(viewer.hasPrefix("agt_"))
            #expect(try await server.autogit(["runners", "list"], token: viewer).status == 0)
            let write = try await server.autogit(["jobs", "submit", "--", "true"], token: viewer)
            #expect(write.status == 4)
            #expect(write.error.contains("AUTHORIZATION_FAILED") || write.error.contains("FORBIDDEN"))
            #expect(try await server.autogit(["runners", "list"], token: "agt_not-a-real-token").status == 4)
            let anonymous = try await server.autogit(["runners", "list"], withToken: false)
            #expect(anonymous.status == 4)
            #expect(anonymous.error.contains("autogit login"))
        }
    }

    @Test("login checks and saves the token (mode 0600); later commands use it; logout forgets it")
    func login() async throws {
        try await withServer { server in
            let bad = try await server.autogit(["login", "--token", "agt_wrong"], withToken: false)
            #expect(bad.status == 4)
            let login = try await server.autogit(["login", "--token", server.adminToken], withToken: false)
            #expect(login.status == 0, "\(login.error)")
            #expect(login.output.contains("saved in context default"))
            let file = server.configHome + "/autogit/config.json"
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
            var environment = server.environment(withToken: false)
            environment["AUTOGIT_SERVER"] = nil
            let viaContext = try await ShellProcess.run(binaryPath, ["system", "status", "-o", "json"], environment: environment)
            #expect(viaContext.status == 0, "\(viaContext.error)")
            #expect(try json(viaContext.output)["version"] != nil)
            #expect(try await ShellProcess.run(binaryPath, ["logout"], environment: environment).status == 0)
            #expect(try await ShellProcess.run(binaryPath, ["runners", "list"], environment: environment).status == 4)
        }
    }

    @Test("config get and set by dotted key, schema as JSON; a value of the wrong type is exit 2 naming the field")
    func config() async throws {
        try await withServer { server in
            let set = try await server.autogit(["config", "set", "jobs.default_timeout_seconds=7200"])
            #expect(set.status == 0, "\(set.error)")
            #expect(set.output == "jobs.default_timeout_seconds = 7200\n")
            #expect(try await server.autogit(["config", "get", "jobs.default_timeout_seconds"]).output == "7200\n")
            let wrong = try await server.autogit(["config", "set", "jobs.default_timeout_seconds=soon"])
            #expect(wrong.status == 2)
            #expect(wrong.error.contains("jobs.default_timeout_seconds"))
            let schema = try json(try await server.autogit(["config", "schema"]).output)
            #expect(schema["type"]?.stringValue == "object")
            #expect(try await server.autogit(["config", "get", "no.such.key"]).status == 3)
        }
    }

    @Test("webhooks: create shows the secret once, list, deliveries, update, delete; gpus, providers and system answer")
    func webhooksAndReads() async throws {
        try await withServer { server in
            let created = try await server.autogit([
                "webhooks", "create", "--url", "http://127.0.0.1:9/hook", "--event", "job_status_changed", "-o", "json",
            ])
            #expect(created.status == 0, "\(created.error)")
            let webhook = try json(created.output)
            let id = try #require(webhook["id"]?.stringValue)
            #expect(webhook["secret"]?.stringValue?.isEmpty == false)
            #expect(try await server.autogit(["webhooks", "list", "-q"]).output == id + "\n")
            #expect(try await server.autogit(["webhooks", "deliveries", id]).status == 0)
            let paused = try json(try await server.autogit(["webhooks", "update", id, "--disable", "--all-events", "-o", "json"]).output)
            #expect(paused["active"] == false && paused["events"] == [] && paused["secret"] == nil)
            let rotated = try await server.autogit(["webhooks", "update", id, "--rotate-secret"])
            #expect(rotated.status == 0 && rotated.output.contains("Its new signing secret, shown only now: whsec_"), "\(rotated.error)")
            #expect(try await server.autogit(["webhooks", "update", id]).status == 2, "nothing to change is a usage error")
            #expect(try await server.autogit(["webhooks", "update", id, "--enable", "--disable"]).status == 2)
            #expect(try await server.autogit(["webhooks", "delete", id]).output == "Deleted webhook \(id).\n")
            #expect(try await server.autogit(["webhooks", "get", id]).status == 3)
            for command in [
                ["gpus", "list"], ["gpus", "available"], ["gpus", "available", "--min-memory", "40"], ["providers", "list"],
                ["system", "info"], ["events", "--help"],
            ] {
                let result = try await server.autogit(command)
                #expect(result.status == 0, "\(command): \(result.error)")
            }
        }
    }
}
