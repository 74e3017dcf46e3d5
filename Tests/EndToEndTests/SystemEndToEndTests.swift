import AutoGitClient
import AutoGitCore
import Foundation
import Testing

/// The system, auth, tokens, config and providers groups through the SDK.
@Suite("SDK end to end: system, auth, tokens, config and providers", .timeLimit(.minutes(2)))
struct SystemEndToEndTests {
    @Test("health needs no credentials; status, info and the Prometheus text describe the server")
    func system() async throws {
        try await withEmbeddedServer { server in
            let anonymous = server.client(.none)
            let health = try await anonymous.system.health()
            #expect(health.isHealthy && health.server == "autogit")
            _ = try await server.registerAgent("r1", gpus: [EmbeddedServer.gpu(0)])
            let status = try await server.admin.system.status()
            #expect(status.runners?.total == 1 && status.gpus?.available == 1 && status.uptime >= 0)
            let info = try await server.admin.system.info()
            #expect(info.apiVersion == "v1" && info.cpuCount >= 1)
            let metrics = try await anonymous.system.prometheusMetrics()
            #expect(metrics.contains("# TYPE autogit_http_requests_total counter"))
            #expect(metrics.contains(#"autogit_runners{status="idle"} 1"#))
            await #expect {
                _ = try await anonymous.system.status()
            } throws: { error in (error as? AutoGitError)?.code == .authenticationRequired }
        }
    }

    @Test("tokens are created with a secret shown once, listed by role, and revoked; X-API-Key works like Bearer")
    func tokens() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            let created = try await admin.tokens.create(name: "ci-bot", role: .operator, expiresIn: 3600)
            let secret = try #require(created.token)
            #expect(created.expiresAt != nil && created.prefix == String(secret.prefix(8)))
            let operators = try await admin.tokens.list(role: .operator).collect()
            #expect(operators.map(\.id) == [created.id] && operators.allSatisfy { $0.token == nil })
            let byKey = server.client(.apiKey(secret))
            #expect(try await byKey.runners.list().collect().isEmpty)
            await #expect {
                _ = try await byKey.tokens.list().collect()
            } throws: { error in (error as? AutoGitError)?.code == .authorizationFailed }
            try await admin.tokens.delete(created.id)
            await #expect {
                _ = try await byKey.runners.list().collect()
            } throws: { error in (error as? AutoGitError)?.code == .authenticationFailed }
            await #expect {
                try await admin.tokens.delete(created.id)
            } throws: { error in (error as? AutoGitError)?.code == .tokenNotFound }
        }
    }

    @Test("a configured user logs in with a password, uses the session, and refreshes it")
    func login() async throws {
        var configuration = EmbeddedServer.testConfiguration
        configuration.auth.users = [
            .init(username: "ops", passwordHash: PasswordHash(password: "correct horse", iterations: 1000).encoded, role: .operator)
        ]
        try await withEmbeddedServer(configuration: configuration) { server in
            let anonymous = server.client(.none)
            let session = try await anonymous.auth.login(username: "ops", password: "correct horse")
            #expect(session.role == .operator && session.expiresAt > Date())
            let user = anonymous.with(credentials: .bearer(session.token))
            let job = try await user.jobs.submit(JobSpec(name: "by-session", steps: [JobStep(name: "s", run: "true")]))
            #expect(job.status == .queued)
            let refreshed = try await user.auth.refresh()
            #expect(refreshed.token != session.token || refreshed.expiresAt >= session.expiresAt)
            await #expect {
                _ = try await anonymous.auth.login(username: "ops", password: "wrong")
            } throws: { error in (error as? AutoGitError)?.code == .authenticationFailed }
            await #expect {
                _ = try await server.admin.auth.refresh()
            } throws: { error in (error as? AutoGitError)?.status == 403 }
        }
    }

    @Test("the configuration is read, patched (invalid patches name the field) and its schema served")
    func config() async throws {
        try await withEmbeddedServer { server in
            let admin = server.admin
            #expect(try await admin.config.get().jobs.longPollSeconds == 30)
            let patched = try await admin.config.patch(["jobs": ["long_poll_seconds": 12], "webhooks": ["max_attempts": 3]])
            #expect(patched.jobs.longPollSeconds == 12 && patched.webhooks.maxAttempts == 3)
            #expect(try await admin.config.get().webhooks.maxAttempts == 3)
            await #expect {
                _ = try await admin.config.patch(["runners": ["heartbeat_interval_seconds": "often"]])
            } throws: { error in
                let error = error as? AutoGitError
                return error?.code == .validationFailed && error?.details?["field"]?.stringValue == "runners.heartbeat_interval_seconds"
            }
            let schema = try await admin.config.schema()
            #expect(schema["properties"]?["rate_limits"] != nil)
            let viewer = server.client(.bearer(try await admin.tokens.create(name: "v", role: .viewer).token ?? ""))
            #expect(try await viewer.config.schema()["type"]?.stringValue == "object")
            await #expect {
                _ = try await viewer.config.get()
            } throws: { error in (error as? AutoGitError)?.status == 403 }
        }
    }

    @Test("providers of the configuration are listed; an unknown one is 404; provisioning says what stands in its way")
    func providers() async throws {
        var configuration = EmbeddedServer.testConfiguration
        configuration.providers = [.init(name: "slurm-a100", type: "slurm", settings: ["partition": "gpu"], policy: ["max_instances": 4])]
        try await withEmbeddedServer(configuration: configuration) { server in
            let admin = server.admin
            let providers = try await admin.providers.list()
            #expect(providers.map(\.name) == ["slurm-a100"] && providers.first?.maxInstances == 4)
            #expect(try await admin.providers.get("slurm-a100").type == "slurm")
            await #expect {
                _ = try await admin.providers.get("nowhere")
            } throws: { error in (error as? AutoGitError)?.code == .providerNotFound }
            await #expect {
                _ = try await admin.runners.provision(RunnerProvisionRequest(provider: "nowhere"))
            } throws: { error in (error as? AutoGitError)?.code == .providerNotFound }
            await #expect {
                _ = try await admin.runners.provision(RunnerProvisionRequest(gpuType: "a100", gpuCount: 1))
            } throws: { error in (error as? AutoGitError)?.code == .notImplemented }
        }
    }
}
