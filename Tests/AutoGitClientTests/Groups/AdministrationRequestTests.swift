import AutoGitCore
import Foundation
import Testing

@testable import AutoGitClient

@Suite("client.auth, .tokens, .config, .system, .providers and .webhooks build their requests")
struct AdministrationRequestTests {
    @Test("login posts the credentials without any token, and the session is used by a client made with it")
    func login() async throws {
        let transport = RecordingTransport { _, index in
            index == 0 ? jsonResponse(200, Fixture.session) : jsonResponse(200, Fixture.session)
        }
        let anonymous = makeClient(transport, credentials: .none)
        let session = try await anonymous.auth.login(username: "admin", password: "pa:ss word")
        #expect(session.token == "jwt")
        let login = try #require(transport.requests.first)
        #expect(login.method == "POST")
        #expect(login.target == "/v1/auth/login")
        #expect(login.bodyText == #"{"password":"pa:ss word","username":"admin"}"#)
        #expect(login.headers["Authorization"] == nil)
        #expect(login.headers["X-API-Key"] == nil)

        _ = try await anonymous.with(credentials: .bearer(session.token)).auth.refresh()
        let refresh = try #require(transport.requests.last)
        #expect(refresh.method == "POST")
        #expect(refresh.target == "/v1/auth/refresh")
        #expect(refresh.headers["Authorization"] == "Bearer jwt")
        #expect(refresh.body == nil)
    }

    @Test("tokens are listed by role, created with their expiry and revoked by id")
    func tokens() async throws {
        let list = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.token))) { client in
            _ = try await client.tokens.listPage(role: .operator)
        }
        #expect(list.target == "/v1/tokens?role=operator&limit=50&offset=0")
        let create = try await sentRequest(answering: exampleResponse("APIToken", status: 201)) { client in
            let token = try await client.tokens.create(name: "ci", role: .runner, expiresIn: 3600)
            #expect(token.token != nil)
        }
        #expect(create.method == "POST")
        #expect(create.target == "/v1/tokens")
        #expect(create.bodyText == #"{"expires_in":3600,"name":"ci","role":"runner"}"#)
        let delete = try await sentRequest(answering: HTTPResponseData(status: 204)) { client in
            try await client.tokens.delete("tok_5b1c")
        }
        #expect(delete.method == "DELETE")
        #expect(delete.target == "/v1/tokens/tok_5b1c")
    }

    @Test("the configuration is patched as a JSON merge patch, and its schema asked for as JSON Schema")
    func config() async throws {
        let get = try await sentRequest(answering: exampleResponse("ServerConfiguration")) { client in
            let configuration = try await client.config.get()
            #expect(configuration.rateLimits.authenticatedPerMinute == 100)
        }
        #expect(get.target == "/v1/config")
        let patch = try await sentRequest(answering: exampleResponse("ServerConfiguration")) { client in
            _ = try await client.config.patch(["rate_limits": ["authenticated_per_minute": 300], "events": nil])
        }
        #expect(patch.method == "PATCH")
        #expect(patch.target == "/v1/config")
        #expect(patch.headers["Content-Type"] == "application/merge-patch+json")
        #expect(patch.bodyText == #"{"events":null,"rate_limits":{"authenticated_per_minute":300}}"#)
        let schema = try await sentRequest(answering: exampleResponse("JSONSchemaDocument")) { client in
            _ = try await client.config.schema()
        }
        #expect(schema.target == "/v1/config/schema")
        #expect(schema.headers["Accept"]?.hasPrefix("application/schema+json") == true)
    }

    @Test("health, status, info and the Prometheus text are read from their paths")
    func system() async throws {
        let transport = RecordingTransport { request, _ in
            switch request.url.path {
            case "/v1/health": exampleResponse("ServiceHealth")
            case "/v1/system/status": exampleResponse("SystemStatus")
            case "/v1/system/info": exampleResponse("SystemInfo")
            default: HTTPResponseData(status: 200, headers: ["Content-Type": "text/plain"], body: HTTPBody("autogit_jobs_queued 3\n"))
            }
        }
        let client = makeClient(transport, credentials: .none)
        #expect(try await client.system.health().isHealthy)
        #expect(try await client.system.status().jobs?.queued == 3)
        _ = try await client.system.info()
        #expect(try await client.system.prometheusMetrics() == "autogit_jobs_queued 3\n")
        #expect(transport.requests.map(\.target) == ["/v1/health", "/v1/system/status", "/v1/system/info", "/metrics"])
        #expect(transport.requests.last?.headers["Accept"] == "text/plain")
    }

    @Test("a base URL with a path prefix keeps it, with or without a trailing slash")
    func baseURLPrefix() async throws {
        for base in ["https://example.com/autogit", "https://example.com/autogit/"] {
            let transport = RecordingTransport { _, _ in exampleResponse("ServiceHealth") }
            let client = AutoGitClient(baseURL: URL(string: base)!, transport: transport)
            _ = try await client.system.health()
            #expect(transport.requests.first?.url.absoluteString == "https://example.com/autogit/v1/health")
        }
    }

    @Test("providers are listed with only the offers of a GPU type, and read by name")
    func providers() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(200, Fixture.page(Fixture.provider, Fixture.provider)) }
        let providers = try await makeClient(transport).providers.list(gpuType: "h100")
        #expect(providers.count == 2)
        #expect(transport.requests.first?.target == "/v1/providers?gpu_type=h100")
        let get = try await sentRequest(answering: exampleResponse("Provider")) { client in
            _ = try await client.providers.get("slurm a100")
        }
        #expect(get.target == "/v1/providers/slurm%20a100")
    }

    @Test("webhooks are created with their events, listed, read, deleted, and their deliveries filtered by status")
    func webhooks() async throws {
        let created =
            #"{"id":"wh_7d2a","url":"https://example.com/hook","events":["job_status_changed"],"active":true,"#
            + #""secret":"whsec_1","created_at":"2024-01-15T10:30:00Z"}"#
        let create = try await sentRequest(answering: jsonResponse(201, created)) { client in
            let webhook = try await client.webhooks.create(
                WebhookCreateRequest(url: "https://example.com/hook", events: [.jobStatusChanged, .systemAlert], description: "ops"))
            #expect(webhook.secret == "whsec_1")
        }
        #expect(create.method == "POST")
        #expect(create.target == "/v1/webhooks")
        #expect(create.json?["events"] == ["job_status_changed", "system_alert"])
        #expect(create.json?["url"] == "https://example.com/hook")
        let list = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.webhook))) { client in
            _ = try await client.webhooks.listPage(limit: 5)
        }
        #expect(list.target == "/v1/webhooks?limit=5&offset=0")
        let get = try await sentRequest(answering: jsonResponse(200, Fixture.webhook)) { client in _ = try await client.webhooks.get("w1") }
        #expect(get.target == "/v1/webhooks/w1")
        let delete = try await sentRequest(answering: HTTPResponseData(status: 204)) { client in try await client.webhooks.delete("w1") }
        #expect(delete.method == "DELETE")
        #expect(delete.target == "/v1/webhooks/w1")
        let deliveries = try await sentRequest(answering: jsonResponse(200, Fixture.page(Fixture.delivery))) { client in
            let page = try await client.webhooks.deliveriesPage(of: "w1", status: .succeeded)
            #expect(page.items.first?.attempts == 1)
        }
        #expect(deliveries.target == "/v1/webhooks/w1/deliveries?status=succeeded&limit=50&offset=0")
    }

    @Test("the event stream repeats types, sends Last-Event-ID when resuming, and decodes the contract's example")
    func events() async throws {
        let example = try #require(ContractExamples.shared.responses["GET /v1/events 200 text/event-stream"]?.stringValue)
        let transport = RecordingTransport { _, _ in eventStreamResponse([example]) }
        var events: [Event] = []
        for try await event in makeClient(transport).events.stream(types: [.jobStatusChanged, .runnerStatusChanged], lastEventID: "1233") {
            events.append(event)
            if events.count == 2 { break }
        }
        #expect(events.map(\.type) == [.jobStatusChanged, .runnerStatusChanged])
        #expect(events.first?.payload["exit_code"] == 0)
        let request = try #require(transport.requests.first)
        #expect(request.target == "/v1/events?types=job_status_changed&types=runner_status_changed")
        #expect(request.headers["Last-Event-ID"] == "1233")
        #expect(request.headers["Accept"] == "text/event-stream")
        #expect(OpenAPIContract.shared.problems(with: request) == [])
    }
}

@Suite("Credentials and the headers every request carries")
struct CredentialsTests {
    @Test(
        "each kind of credentials sends its own header and no other",
        arguments: [
            (AutoGitClient.Credentials.bearer("tok 1"), "Authorization", "Bearer tok 1"),
            (.apiKey("key-2"), "X-API-Key", "key-2"),
            (.none, nil, nil),
        ] as [(AutoGitClient.Credentials, String?, String?)])
    func credentials(_ credentials: AutoGitClient.Credentials, header: String?, value: String?) async throws {
        let request = try await sentRequest(answering: jsonResponse(200, Fixture.runner), credentials: credentials) { client in
            _ = try await client.runners.get("r1")
        }
        for name in ["Authorization", "X-API-Key"] {
            #expect(request.headers[name] == (name == header ? value : nil))
        }
    }

    @Test("the user agent, Accept and configured headers are sent; a request's own headers win")
    func commonHeaders() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(200, Fixture.runner) }
        let client = makeClient(transport) { configuration in
            configuration.userAgent = "my-tool/2.0"
            configuration.additionalHeaders = ["X-Request-ID": "req-abc", "Accept": "text/html"]
        }
        _ = try await client.runners.get("r1")
        _ = try? await client.config.schema()
        let first = try #require(transport.requests.first)
        #expect(first.headers["User-Agent"] == "my-tool/2.0")
        #expect(first.headers["X-Request-ID"] == "req-abc")
        #expect(first.headers["Accept"] == "text/html")
        #expect(transport.requests.last?.headers["Accept"]?.hasPrefix("application/schema+json") == true)
    }

    @Test("printing credentials, or a client holding them, never shows the secret")
    func credentialsAreRedacted() {
        let client = AutoGitClient(baseURL: testBaseURL, credentials: .bearer("s3cr3t-token"), transport: RecordingTransport())
        #expect("\(AutoGitClient.Credentials.apiKey("s3cr3t-token"))" == "apiKey(…)")
        #expect(!String(describing: client).contains("s3cr3t"))
        #expect(!String(reflecting: client).contains("s3cr3t"))
    }

    @Test("with(credentials:) and with(_:) change one thing and share the transport")
    func derivedClients() async throws {
        let transport = RecordingTransport { _, _ in jsonResponse(200, Fixture.runner) }
        let client = makeClient(transport, credentials: .none)
        _ = try await client.with(credentials: .apiKey("k")).runners.get("r1")
        _ = try await client.with { $0.userAgent = "other" }.runners.get("r1")
        #expect(transport.requests.map { $0.headers["X-API-Key"] } == ["k", nil])
        #expect(transport.requests.last?.headers["User-Agent"] == "other")
    }
}
