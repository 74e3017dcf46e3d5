import AutoGitClient
import AutoGitCore
import Synchronization

/// The server's events, recorded from its first one.
final class ScaleUpEvents: Sendable {
    private let events = Mutex<[Event]>([])
    private let reader = Mutex<Task<Void, Never>?>(nil)

    init(client: AutoGitClient) {
        let stream = client.events.stream(types: [.runnerProvisioned, .runnerStatusChanged], lastEventID: "0")
        let task = Task { [weak self] in
            do {
                for try await event in stream { self?.events.withLock { $0.append(event) } }
            } catch {}
        }
        reader.withLock { $0 = task }
    }

    func first(where matches: (Event) -> Bool) -> Event? {
        events.withLock { $0.first(where: matches) }
    }

    func stop() {
        reader.withLock { $0?.cancel() }
    }
}
