/// A type-erased async sequence of response parts. Iteration runs in the server's writer task, so cancelling that
/// task (client disconnect, shutdown) cancels the underlying sequence.
public struct ResponseStream<Element: Sendable>: Sendable {
    private let iterate: @Sendable (_ body: (Element) async throws -> Void) async throws -> Void

    public init<Base: AsyncSequence & Sendable>(_ base: Base) where Base.Element == Element {
        iterate = { body in
            for try await element in base {
                try await body(element)
            }
        }
    }

    /// Calls `body` with each element in order until the sequence ends, throws, or the task is cancelled.
    func forEach(_ body: (Element) async throws -> Void) async throws {
        try await iterate(body)
    }
}
