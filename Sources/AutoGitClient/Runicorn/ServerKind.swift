import AutoGitCore
import Foundation
import Synchronization

/// What kind of server a client talks to, for its experiment tracking calls.
///
/// The experiments group reads projects, runs, run details and step metrics from an AutoGit server and, through an
/// adapter, from a [Runicorn](https://pypi.org/project/runicorn/) viewer (`runicorn viewer`); the other groups are
/// AutoGit's alone.
public enum ServerKind: String, Sendable, Hashable, CaseIterable {
    /// Decide by asking: AutoGit until an answer says otherwise (a body that is not AutoGit's, a 404 or 405 without
    /// AutoGit's error), then once from the health endpoints (`GET /v1/health`, `GET /api/health`). An AutoGit
    /// server never pays for detection.
    case automatic
    /// An AutoGit server (or another that speaks its v1 API).
    case autogit
    /// A Runicorn viewer: reads are mapped to AutoGit's models; writes it does not offer throw `NOT_SUPPORTED`.
    case runicorn
}

/// The kind found by detection, shared by a client and the copies made from it.
final class DetectedServerKind: Sendable {
    private let kind = Mutex<ServerKind?>(nil)

    var value: ServerKind? { kind.withLock { $0 } }

    func set(_ value: ServerKind) { kind.withLock { $0 = value } }
}

extension AutoGitClient {
    /// Finds out what kind of server ``baseURL`` is from its health endpoints: `GET /v1/health` answering AutoGit's
    /// health is ``ServerKind/autogit``; else `GET /api/health` answering Runicorn's (`{"status": "ok", "version": …,
    /// "storage": …}`) is ``ServerKind/runicorn``; anything else counts as AutoGit. The answer is remembered by this
    /// client and its copies. With ``Configuration-swift.struct/serverKind`` set to a kind, returns that without
    /// asking.
    ///
    /// - Throws: ``AutoGitError`` when neither endpoint can be reached.
    public func detectServerKind() async throws(AutoGitError) -> ServerKind {
        if configuration.serverKind != .automatic { return configuration.serverKind }
        if let known = detectedKind.value { return known }
        let kind = try await probeServerKind()
        detectedKind.set(kind)
        return kind
    }

    private func probeServerKind() async throws(AutoGitError) -> ServerKind {
        var firstError: AutoGitError?
        do {
            let (_, body) = try await send(APIRequest("GET", Path("v1", "health")))
            if let health = try? AutoGitJSON.decode(ServiceHealth.self, from: body), health.server != "runicorn" { return .autogit }
        } catch {
            // A 503 while starting is still AutoGit's health.
            if error.status == 503, error.kind == .server { return .autogit }
            firstError = error
        }
        do {
            let (_, body) = try await send(APIRequest("GET", RunicornAdapter.path(base: baseURL, "health")))
            if RunicornHealth.matches(body) { return .runicorn }
        } catch {
            if let firstError, firstError.kind == .transport { throw firstError }
        }
        return .autogit
    }

    /// Runs an experiments call on the kind of server this client talks to: `autogit` for an AutoGit server,
    /// `runicorn` through the adapter. In automatic mode an answer that is not AutoGit's triggers detection once.
    func onExperimentServer<T>(
        autogit: () async throws(AutoGitError) -> T, runicorn: (RunicornAdapter) async throws(AutoGitError) -> T
    ) async throws(AutoGitError) -> T {
        let kind = configuration.serverKind == .automatic ? detectedKind.value : configuration.serverKind
        switch kind {
        case .runicorn?: return try await runicorn(RunicornAdapter(client: self))
        case .autogit?: return try await autogit()
        case .automatic?, nil: break
        }
        do {
            return try await autogit()
        } catch  where Self.mayComeFromAnotherKind(error) {
            guard try await detectServerKind() == .runicorn else { throw error }
            return try await runicorn(RunicornAdapter(client: self))
        }
    }

    /// Whether `error` could be another kind of server's answer to an AutoGit path: a body that is not AutoGit's, or
    /// a plain 404 or 405 (an AutoGit server names what it did not find).
    static func mayComeFromAnotherKind(_ error: AutoGitError) -> Bool {
        error.kind == .decoding || error.kind == .http || (error.status == 404 && error.code == .notFound) || error.status == 405
    }
}
