import AutoGitCore
import AutoGitServer
import Synchronization

/// The server's events, recorded from its first one, read from its in-process event bus (an SSE request held open
/// by URLSession on Linux keeps libcurl's timers busy and would take CPU from what is measured).
final class ScaleUpEvents: Sendable {
    private let events = Mutex<[Event]>([])
    private let reader = Mutex<Task<Void, Never>?>(nil)

    init(bus: EventBus?) {
        guard let bus else { return }
        let stream = bus.subscribe(types: [.runnerProvisioned, .runnerStatusChanged], after: "0")
        let task = Task { [weak self] in
            for await event in stream { self?.events.withLock { $0.append(event) } }
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
