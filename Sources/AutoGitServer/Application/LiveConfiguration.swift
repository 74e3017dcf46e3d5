import AutoGitCore
import Foundation
import Synchronization

/// The configuration in force: the file's (or the embedder's) configuration with every `PATCH /v1/config` applied
/// on top, in order.
///
/// Each accepted patch is stored in the journal before it is answered, so changes made through the API survive a
/// restart while the file itself is never rewritten; a setting the API never touched keeps following the file.
/// Reading is a lock and a copy, cheap enough for every request (the rate limiter reads its limits here).
final class LiveConfiguration: Sendable {
    static let collection = "config-patches"

    private struct State {
        var configuration: ServerConfiguration
        var patchCount: Int
    }

    private let state: Mutex<State>
    private let store: DurableStore

    /// Replays the stored patches over `base`; a patch that no longer yields a valid configuration (the file changed
    /// under it) is skipped with a warning.
    init(base: ServerConfiguration, store: DurableStore, log: @Sendable (String) -> Void) {
        self.store = store
        var configuration = base
        let patches = store.values(in: Self.collection).sorted { $0.key < $1.key }
        for (key, bytes) in patches {
            do {
                let patch = try AutoGitJSON.decode(JSONValue.self, from: Data(bytes))
                configuration = try configuration.validated(mergePatch: patch)
            } catch {
                log("skipping stored configuration change \(key): it no longer applies (\(error))")
            }
        }
        state = Mutex(State(configuration: configuration, patchCount: patches.count))
    }

    var current: ServerConfiguration { state.withLock { $0.configuration } }

    /// Validates `patch` against the configuration in force, stores it, and returns the new configuration. Throws
    /// 422 naming the field when the result would not be valid; nothing changes then.
    func apply(_ patch: JSONValue) async throws(ServerError) -> ServerConfiguration {
        let encoded: [UInt8]
        do {
            encoded = Array(try AutoGitJSON.encode(patch))
        } catch {
            throw ServerError(.internalError, status: 500, "Could not encode the configuration change")
        }
        let (configuration, key) = try state.withLock { state throws(ServerError) in
            do throws(CoreError) {
                state.configuration = try state.configuration.validated(mergePatch: patch)
            } catch {
                throw ServerError(core: error)
            }
            state.patchCount += 1
            let digits = String(state.patchCount)
            return (state.configuration, String(repeating: "0", count: max(0, 12 - digits.count)) + digits)
        }
        // Keys sort in the order the patches were applied, whatever order their commits finish in.
        try await store.commit(.put(Self.collection, key, bytes: encoded))
        return configuration
    }
}
