import AutoGitClient
import AutoGitCore
import AutoGitTestSupport
import Synchronization

/// Records a server's events of some types from its very first one (the stream starts after event id 0, so the
/// server replays what came before the subscription), for tests to look for afterwards.
final class EventRecorder: Sendable {
    private let events = Mutex<[Event]>([])
    private let reader = Mutex<Task<Void, Never>?>(nil)

    init(client: AutoGitClient, types: [EventType]) {
        let stream = client.events.stream(types: types, lastEventID: "0")
        let task = Task { [weak self] in
            do {
                for try await event in stream {
                    self?.events.withLock { $0.append(event) }
                }
            } catch {}
        }
        reader.withLock { $0 = task }
    }

    var all: [Event] { events.withLock { $0 } }

    /// The first recorded event that matches, waiting for it up to `limit`.
    func first(within limit: Duration = .seconds(20), where matches: @escaping @Sendable (Event) -> Bool) async -> Event? {
        var found: Event?
        _ = await eventually(within: limit) {
            found = self.all.first(where: matches)
            return found != nil
        }
        return found
    }

    func stop() {
        reader.withLock { $0?.cancel() }
    }
}
