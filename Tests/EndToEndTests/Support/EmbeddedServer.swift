import AutoGitClient
import AutoGitCore
import AutoGitServer
import Foundation

/// A reference server in this process on a loopback port, in a temporary data directory, with SDK clients for it.
final class EmbeddedServer: Sendable {
    let server: ReferenceServer
    let directory: String
    let adminToken: String
    /// A client holding the admin token.
    let admin: AutoGitClient

    /// Rate limits off, so tests that make many calls are not throttled; instance ports from a block of this
    /// server's own (10000–14999, below the ephemeral range), so servers of tests running at the same time (here
    /// and in the CLI tests) do not hand out the same port.
    static var testConfiguration: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.rateLimits.enabled = false
        let base = 10_000 + Int.random(in: 0..<25) * 200
        configuration.instances.portRangeStart = base
        configuration.instances.portRangeEnd = base + 199
        return configuration
    }

    private init(server: ReferenceServer, directory: String, adminToken: String) {
        self.server = server
        self.directory = directory
        self.adminToken = adminToken
        admin = AutoGitClient(baseURL: server.baseURL, credentials: .bearer(adminToken))
    }

    static func start(configuration: ServerConfiguration = testConfiguration) async throws -> EmbeddedServer {
        let directory = NSTemporaryDirectory() + "/autogit-e2e-\(UUID().uuidString)"
        return try await start(options: .quiet(dataDirectory: directory, configuration: configuration))
    }

    /// A server with these options (their data directory is removed by ``stop()``).
    static func start(options: ReferenceServer.Options) async throws -> EmbeddedServer {
        let server = ReferenceServer(options: options)
        try await server.start()
        return EmbeddedServer(server: server, directory: options.dataDirectory, adminToken: server.adminToken ?? "")
    }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A client with other credentials.
    func client(_ credentials: AutoGitClient.Credentials) -> AutoGitClient {
        AutoGitClient(baseURL: server.baseURL, credentials: credentials)
    }

    /// Registers an agent through the SDK with a registration token; returns the runner and a client holding its
    /// own token.
    func registerAgent(
        _ name: String, labels: [String] = [], gpus: [GPU] = [], concurrency: Int = 2, provider: String? = nil
    ) async throws -> (runner: Runner, agent: AutoGitClient) {
        let registrationToken = try await admin.tokens.create(name: "registration \(name)", role: .runner)
        let registrar = client(.bearer(registrationToken.token ?? ""))
        var registration = RunnerRegistration(
            name: name, host: "\(name).local", architecture: .amd64, os: "linux", labels: labels, gpus: gpus)
        registration.maxConcurrentJobs = concurrency
        registration.provider = provider
        let result = try await registrar.runners.register(registration)
        return (try await admin.runners.get(result.runnerID), client(.bearer(result.token)))
    }

    static func gpu(_ index: Int, model: String = "NVIDIA A100-SXM4-80GB", memory: Int = 81_920) -> GPU {
        GPU(id: "", index: index, vendor: .nvidia, model: model, memoryTotalMB: memory)
    }
}

/// Runs `body` against a fresh embedded server and shuts it down afterwards, whether `body` throws or not.
@discardableResult
func withEmbeddedServer<T>(
    configuration: ServerConfiguration = EmbeddedServer.testConfiguration, _ body: (EmbeddedServer) async throws -> T
) async throws -> T {
    let server = try await EmbeddedServer.start(configuration: configuration)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Collects the first `count` elements of a stream, or throws when `seconds` pass first.
func first<S: AsyncSequence & Sendable>(
    _ count: Int, of stream: S, within seconds: Double = 20, where include: @escaping @Sendable (S.Element) -> Bool = { _ in true }
) async throws -> [S.Element] where S.Element: Sendable {
    try await withThrowingTaskGroup(of: [S.Element]?.self) { group in
        group.addTask {
            var collected: [S.Element] = []
            for try await element in stream where include(element) {
                collected.append(element)
                if collected.count == count { break }
            }
            return collected
        }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() ?? nil else { throw E2EFailure("timed out waiting for \(count) elements") }
        return result
    }
}

struct E2EFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
