import AutoGitHTTP

/// The body of a Server-Sent Events response: a few events first (`retry:`, a backlog), then one event per element
/// of `base`, then, when `base` ends, an optional closing event computed at that moment (a followed job's `end`).
///
/// Cancelling the task that iterates it (the client went away, the server stops) ends `base`'s iteration, which
/// for an `AsyncStream` runs its `onTermination` and releases the subscription.
struct EventStreamBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    typealias Element = ServerSentEvent

    let prefix: [ServerSentEvent]
    let base: Base
    let transform: @Sendable (Base.Element) -> ServerSentEvent?
    let closing: (@Sendable () async -> ServerSentEvent?)?

    init(
        prefix: [ServerSentEvent] = [EventStreamBody.retry], _ base: Base,
        transform: @escaping @Sendable (Base.Element) -> ServerSentEvent?, closing: (@Sendable () async -> ServerSentEvent?)? = nil
    ) {
        self.prefix = prefix
        self.base = base
        self.transform = transform
        self.closing = closing
    }

    /// Tells clients to wait three seconds before reconnecting.
    static var retry: ServerSentEvent { ServerSentEvent(retry: .seconds(3)) }

    struct AsyncIterator: AsyncIteratorProtocol {
        var prefix: IndexingIterator<[ServerSentEvent]>
        var base: Base.AsyncIterator
        let transform: @Sendable (Base.Element) -> ServerSentEvent?
        var closing: (@Sendable () async -> ServerSentEvent?)?
        var baseEnded = false

        mutating func next() async throws -> ServerSentEvent? {
            if let event = prefix.next() { return event }
            while !baseEnded {
                guard let element = try await base.next() else {
                    baseEnded = true
                    break
                }
                if let event = transform(element) { return event }
            }
            guard let closing, !Task.isCancelled else { return nil }
            self.closing = nil
            return await closing()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(prefix: prefix.makeIterator(), base: base.makeAsyncIterator(), transform: transform, closing: closing)
    }
}
