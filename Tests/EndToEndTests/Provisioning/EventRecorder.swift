import AutoGitCore
import AutoGitServer
import AutoGitTestSupport
import Synchronization

/// Records a server's events of some types from its very first one (the subscription starts after event id 0, so the
/// bus replays what came before it), for tests to look for afterwards. It reads the in-process server's event bus: a
/// streaming URLSession request held open for a whole test keeps libcurl's timers spinning on Linux and costs a core.
final class EventRecorder: Sendable {
    private let events = Mutex<[Event]>([])
    private let reader = Mutex<Task<Void, Never>?>(nil)

    init(bus: EventBus?, types: Set<EventType>) {
        guard let bus else { return }
        let stream = bus.subscribe(types: types, after: "0")
        let task = Task { [weak self] in
            for await event in stream {
                self?.events.withLock { $0.append(event) }
            }
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
