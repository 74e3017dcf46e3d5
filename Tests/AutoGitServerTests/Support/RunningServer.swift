import AutoGitCore
import Foundation

@testable import AutoGitServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An answer as a test sees it: status, headers (names lowercased), body, and the error envelope's code.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
    var errorCode: String? { json?["error"]?["code"]?.stringValue }
    var errorField: String? { json?["error"]?["details"]?["field"]?.stringValue }
    var text: String { String(decoding: body, as: UTF8.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try AutoGitJSON.decode(T.self, from: body) }
}

/// A reference server on a loopback port in a temporary data directory, with a raw HTTP client for it.
final class RunningServer: Sendable {
    let server: ReferenceServer
    let directory: TemporaryDirectory
    let admin: String
    private let session: URLSession

    /// Rate limits off, so tests that make many calls are not throttled (the rate-limit tests switch them on).
    static var testConfiguration: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.rateLimits.enabled = false
        // The runners these tests register never heartbeat: a test slowed by a loaded machine must not see them go
        // offline and their jobs taken back (the Fleet tests check that, on their own clock).
        configuration.runners.offlineAfterSeconds = 3600
        return configuration
    }

    private init(server: ReferenceServer, directory: TemporaryDirectory, admin: String) {
        self.server = server
        self.directory = directory
        self.admin = admin
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
    }

    static func start(
        configuration: ServerConfiguration = testConfiguration, directory: TemporaryDirectory = TemporaryDirectory(),
        rateLimitClock: (@Sendable () -> Double)? = nil
    ) async throws -> RunningServer {
        var options = ReferenceServer.Options.quiet(dataDirectory: directory.path, configuration: configuration)
        options.rateLimitClock = rateLimitClock
        let server = ReferenceServer(options: options)
        try await server.start()
        let admin = try server.adminToken ?? String(contentsOfFile: server.adminTokenPath, encoding: .utf8)
        return RunningServer(server: server, directory: directory, admin: admin.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func stop() async {
        await server.shutdown()
        session.finishTasksAndInvalidate()
    }

    /// Sends one request; `token` goes in `Authorization: Bearer` (or `X-API-Key` with `apiKey`).
    func request(
        _ method: String, _ path: String, token: String? = nil, apiKey: Bool = false, body: String? = nil,
        contentType: String? = "application/json", headers: [String: String] = [:]
    ) async throws -> HTTPAnswer {
        var request = URLRequest(url: URL(string: server.baseURL.absoluteString + path)!)
        request.httpMethod = method
        if let token {
            if apiKey {
                request.setValue(token, forHTTPHeaderField: "X-API-Key")
            } else {
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            }
        }
        if let body {
            request.httpBody = Data(body.utf8)
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return HTTPAnswer(status: http.statusCode, headers: fields, body: data)
    }

    /// Creates an API token with `role` and returns its secret.
    func token(_ role: Role, name: String? = nil) async throws -> String {
        let answer = try await request(
            "POST", "/v1/tokens", token: admin, body: #"{"name": "\#(name ?? role.rawValue)", "role": "\#(role.rawValue)"}"#)
        guard answer.status == 201, let secret = answer.json?["token"]?.stringValue else {
            throw TestFailure("token creation answered \(answer.status): \(answer.text)")
        }
        return secret
    }

    /// Registers a runner agent named `name` and returns its id and its own token.
    func registerRunner(_ name: String, labels: [String] = [], gpus: Int = 0) async throws -> (id: String, token: String) {
        let gpuList = (0..<gpus).map { index in
            #"{"index": \#(index), "model": "NVIDIA A100-SXM4-80GB", "vendor": "nvidia", "memory_total_mb": 81920}"#
        }
        let labelList = labels.map { "\"\($0)\"" }.joined(separator: ",")
        let body =
            #"{"name": "\#(name)", "host": "\#(name).local", "labels": [\#(labelList)], "gpus": [\#(gpuList.joined(separator: ","))]}"#
        let answer = try await request("POST", "/v1/runners/register", token: admin, body: body)
        guard answer.status == 201, let id = answer.json?["runner_id"]?.stringValue, let token = answer.json?["token"]?.stringValue else {
            throw TestFailure("registration answered \(answer.status): \(answer.text)")
        }
        return (id, token)
    }

    /// Submits a one-step job and returns its id.
    func submitJob(_ name: String = "train", labels: [String] = []) async throws -> String {
        let labelList = labels.map { "\"\($0)\"" }.joined(separator: ",")
        let body = #"{"name": "\#(name)", "steps": [{"name": "run", "run": "echo hi"}], "requirements": {"labels": [\#(labelList)]}}"#
        let answer = try await request("POST", "/v1/jobs", token: admin, body: body)
        guard answer.status == 201, let id = answer.json?["id"]?.stringValue else {
            throw TestFailure("job submission answered \(answer.status): \(answer.text)")
        }
        return id
    }
}

/// Runs `body` against a fresh server and shuts the server down afterwards, whether `body` throws or not.
@discardableResult
func withServer<T>(
    configuration: ServerConfiguration = RunningServer.testConfiguration, rateLimitClock: (@Sendable () -> Double)? = nil,
    _ body: (RunningServer) async throws -> T
) async throws -> T {
    let server = try await RunningServer.start(configuration: configuration, rateLimitClock: rateLimitClock)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
