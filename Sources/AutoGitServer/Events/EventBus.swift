import AutoGitCore
import Foundation
import Synchronization

/// Fans events out to live subscribers (SSE clients, the webhook dispatcher) and keeps the latest ones so a
/// client that reconnects with `Last-Event-ID` receives what it missed.
///
/// Event ids are decimal integers that increase for the life of the data directory's clock: they start from the
/// boot time in microseconds, so an id from before a restart sorts before every new one. The buffer is bounded
/// (``capacity``); a client that fell further behind gets what is left, oldest first.
public final class EventBus: Sendable {
    public let capacity: Int
    private let state: Mutex<State>

    private struct Subscriber {
        var types: Set<EventType>?
        var continuation: AsyncStream<Event>.Continuation
    }

    private struct State {
        var nextID: UInt64
        var buffer: [Event] = []
        var start = 0
        var subscribers: [UUID: Subscriber] = [:]
    }

    public init(capacity: Int = 10_000, now: Date = Date()) {
        self.capacity = max(1, capacity)
        state = Mutex(State(nextID: UInt64(max(0, now.timeIntervalSince1970) * 1_000_000)))
    }

    /// Records an event and hands it to every subscriber that wants its type. Never blocks: a slow subscriber's
    /// stream buffers up to ``capacity`` events and then drops its oldest.
    @discardableResult
    public func publish(_ type: EventType, _ payload: JSONValue, at timestamp: Date = Date()) -> Event {
        state.withLock { state in
            let event = Event(id: String(state.nextID), type: type, payload: payload, timestamp: timestamp)
            state.nextID += 1
            if state.buffer.count < capacity {
                state.buffer.append(event)
            } else {
                state.buffer[state.start] = event
                state.start = (state.start + 1) % capacity
            }
            for subscriber in state.subscribers.values where subscriber.types?.contains(type) ?? true {
                subscriber.continuation.yield(event)
            }
            return event
        }
    }

    /// The buffered events after `lastEventID` (all of them when nil) of the given types, oldest first.
    public func events(after lastEventID: String?, types: Set<EventType>? = nil) -> [Event] {
        state.withLock { state in Self.buffered(in: state, after: lastEventID, types: types) }
    }

    /// A stream of events of `types` (all when nil): first those buffered after `lastEventID` (none when nil),
    /// then every new one. Ending the stream (or cancelling its consumer) unsubscribes.
    public func subscribe(types: Set<EventType>? = nil, after lastEventID: String? = nil) -> AsyncStream<Event> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(capacity))
        state.withLock { state in
            if lastEventID != nil {
                for event in Self.buffered(in: state, after: lastEventID, types: types) { continuation.yield(event) }
            }
            state.subscribers[id] = Subscriber(types: types, continuation: continuation)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every subscription (at shutdown, so SSE responses finish).
    public func finishAll() {
        let continuations = state.withLock { state in
            defer { state.subscribers = [:] }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    private static func buffered(in state: State, after lastEventID: String?, types: Set<EventType>?) -> [Event] {
        let ordered = Array(state.buffer[state.start...] + state.buffer[..<state.start])
        let after = lastEventID.flatMap { UInt64($0) } ?? 0
        return ordered.filter { event in
            (UInt64(event.id) ?? 0) > after && (types?.contains(event.type) ?? true)
        }
    }
}

extension EventBus {
    /// How loud a `system_alert` is.
    public enum AlertLevel: String, Sendable {
        case info, warn, error
    }

    /// Publishes a `system_alert` in the contract's shape: `level`, `source` (what raised it), `message`, `details`.
    @discardableResult
    public func publishAlert(
        _ level: AlertLevel, source: String, _ message: String, details: [String: JSONValue], at timestamp: Date = Date()
    ) -> Event {
        publish(
            .systemAlert,
            ["level": .string(level.rawValue), "source": .string(source), "message": .string(message), "details": .object(details)],
            at: timestamp)
    }
}
