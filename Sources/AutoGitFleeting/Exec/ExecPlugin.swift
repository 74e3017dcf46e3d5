import AutoGitCore
import Foundation

/// A plugin in any language: an external executable speaking the JSON protocol of Docs/plugins.md on standard input
/// and output, one request per run. Kubernetes, clouds and site-specific schedulers plug in this way.
///
/// AutoGit builds each agent's command line and environment (the same as the other plugins) and hands them to the
/// executable in `provision`, so the plugin only has to start a command somewhere and report on it.
///
/// - **Idempotency, partial failure.** The plugin program must keep the contract of ``FleetingPlugin`` (the
///   protocol says so); this side passes it through: a `provision` answer may carry instances and an error together
///   (the instances are returned, the error is logged away), an error alone is thrown with the plugin's code and message.
/// - **Duration.** One process per call, bounded by `timeout` (default 60 s) or `timeouts.METHOD`; at the limit its
///   process group is killed and the call fails with `PLUGIN_UNAVAILABLE`. Output that is not one JSON object of the
///   protocol fails with `PLUGIN_PROTOCOL`, quoting the start of what came.
public actor ExecPlugin: FleetingPlugin {
    private var settings: ExecSettings?

    public init() {}

    public func initialize(_ settings: PluginSettings) async throws -> ProviderInfo {
        let exec = try ExecSettings(settings)
        self.settings = exec
        let result = try await call(.initialize, params: [:], settings: exec)
        do {
            return try result.decode(as: ProviderInfo.self)
        } catch {
            throw CoreError(.pluginProtocol, "\(exec.provider): initialize returned no provider info: \(Self.describe(error))")
        }
    }

    public func provision(count: Int, shape: ProvisionShape) async throws -> [FleetingInstance] {
        let settings = try configured()
        guard count > 0 else { return [] }
        let agents = (0..<count).map { _ in
            let name = RunnerNames.make(provider: settings.provider)
            return ExecProtocol.AgentSpec(
                runnerName: name,
                command: settings.command.arguments(
                    executable: settings.agentExecutable, agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape
                ),
                environment: settings.command.variables(agent: settings.agent, provider: settings.provider, runnerName: name, shape: shape))
        }
        let params = try JSONValue(encoding: ExecProtocol.ProvisionParams(count: count, shape: shape, instances: agents))
        let (result, error) = try await exchange(.provision, params: params, settings: settings)
        let created = try decode(ExecProtocol.ListResult.self, result, method: .provision, settings: settings).instances
        // Partial success returns what was created; an error with nothing created is the answer.
        if let error, created.isEmpty { throw error }
        return created
    }

    public func deprovision(ids: [String]) async throws -> [String] {
        let settings = try configured()
        guard !ids.isEmpty else { return [] }
        let result = try await call(.deprovision, params: ["ids": .array(ids.map { .string($0) })], settings: settings)
        return try decode(ExecProtocol.DeprovisionResult.self, result, method: .deprovision, settings: settings).removed
    }

    public func list() async throws -> [FleetingInstance] {
        let settings = try configured()
        return try decode(
            ExecProtocol.ListResult.self, try await call(.list, params: [:], settings: settings), method: .list, settings: settings
        )
        .instances
    }

    public func status(id: String) async throws -> FleetingInstanceState {
        let settings = try configured()
        let result = try await call(.status, params: ["id": .string(id)], settings: settings)
        return try decode(ExecProtocol.StatusResult.self, result, method: .status, settings: settings).state
    }

    public func connectInfo(id: String) async throws -> ConnectInfo {
        let settings = try configured()
        let result = try await call(.connectInfo, params: ["id": .string(id)], settings: settings)
        return try decode(ConnectInfo.self, result, method: .connectInfo, settings: settings)
    }

    // MARK: - One call

    /// Runs the plugin once for `method` and returns its `result`, or throws its error.
    private func call(_ method: ExecProtocol.Method, params: JSONValue, settings: ExecSettings) async throws -> JSONValue {
        let (result, error) = try await exchange(method, params: params, settings: settings)
        if let error { throw error }
        return result
    }

    /// Runs the plugin once; returns its `result` with its `error` when it sent both, throws when it sent no result.
    private func exchange(
        _ method: ExecProtocol.Method, params: JSONValue, settings: ExecSettings
    ) async throws -> (JSONValue, CoreError?) {
        let request = ExecProtocol.Request(
            method: method.rawValue, provider: settings.provider, settings: settings.pluginSettings, params: params)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(request)
        var environment = settings.environment
        environment["AUTOGIT_PLUGIN_PROTOCOL"] = String(ExecProtocol.version)
        environment["AUTOGIT_PLUGIN_METHOD"] = method.rawValue
        let timeout = settings.timeout(for: method)
        let outcome: CommandResult
        do {
            outcome = try await CommandRunner.run(
                Command(
                    settings.executable, settings.arguments, environment: environment, standardInput: body + Data("\n".utf8),
                    timeout: timeout))
        } catch let error as CoreError {
            throw CoreError(error.code, "\(settings.provider): \(error.message)")
        }
        let prefix = "\(settings.provider): plugin \(settings.executable) \(method.rawValue)"
        if outcome.timedOut {
            throw CoreError(.pluginUnavailable, "\(prefix) timed out after \(timeout) and was killed")
        }
        let text = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = text.data(using: .utf8), !text.isEmpty else {
            throw CoreError(
                .pluginProtocol,
                "\(prefix) wrote nothing on standard output (exit \(outcome.status))\(Self.stderrSuffix(outcome))")
        }
        let response: ExecProtocol.Response
        do {
            response = try JSONDecoder().decode(ExecProtocol.Response.self, from: data)
        } catch {
            throw CoreError(
                .pluginProtocol,
                "\(prefix) did not answer with a JSON object (exit \(outcome.status)): \(Self.excerpt(text))\(Self.stderrSuffix(outcome))")
        }
        if let version = response.protocolVersion, version != ExecProtocol.version {
            throw CoreError(.pluginProtocol, "\(prefix) speaks protocol version \(version); AutoGit speaks \(ExecProtocol.version)")
        }
        if method == .initialize, response.protocolVersion == nil {
            throw CoreError(.pluginProtocol, "\(prefix) answered without \"protocol_version\"")
        }
        let error = response.error.map { body in
            CoreError(body.code.map { ErrorCode($0) } ?? .pluginUnavailable, "\(prefix) failed: \(body.message ?? "no message")")
        }
        guard let result = response.result, result != .null else {
            if let error { throw error }
            throw CoreError(.pluginProtocol, "\(prefix) answered with neither \"result\" nor \"error\" (exit \(outcome.status))")
        }
        return (result, error)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, method: ExecProtocol.Method, settings: ExecSettings) throws -> T {
        do {
            return try value.decode(as: type)
        } catch {
            throw CoreError(
                .pluginProtocol,
                "\(settings.provider): plugin \(method.rawValue) result does not match the protocol: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError { return CoreError.decoding(decoding).message }
        return "\(error)"
    }

    private static func excerpt(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    private static func stderrSuffix(_ outcome: CommandResult) -> String {
        let log = outcome.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return log.isEmpty ? "" : "; its standard error ends: \(String(log.suffix(300)))"
    }

    private func configured() throws -> ExecSettings {
        guard let settings else { throw CoreError(.pluginConfiguration, "The exec plugin was used before initialize") }
        return settings
    }
}
