import AutoGitCore

/// Every item of a list endpoint, fetched page by page as the iteration reaches them.
///
/// Nothing is fetched until the iteration starts; each next page is requested (with `offset` advanced by the
/// items received) only when the previous one is used up and the server said `has_more`. Stopping the iteration
/// early fetches nothing more.
///
/// ```swift
/// for try await job in client.jobs.list(status: [.running]) {
///     print(job.id)
/// }
/// ```
public struct PageSequence<Item: Codable & Sendable>: AsyncSequence, Sendable {
    /// One item of the list.
    public typealias Element = Item

    /// Items asked for per request.
    public let pageSize: Int
    let fetch: @Sendable (_ limit: Int, _ offset: Int) async throws(AutoGitError) -> Page<Item>

    init(pageSize: Int, fetch: @escaping @Sendable (_ limit: Int, _ offset: Int) async throws(AutoGitError) -> Page<Item>) {
        self.pageSize = pageSize
        self.fetch = fetch
    }

    /// Reads every item into an array (every page is fetched).
    public func collect() async throws -> [Item] {
        var items: [Item] = []
        for try await item in self { items.append(item) }
        return items
    }

    /// Starts a new walk through the list from its first page.
    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    /// Walks a list, fetching each page when the previous one is used up.
    public struct Iterator: AsyncIteratorProtocol {
        let sequence: PageSequence
        var buffer: [Item] = []
        var index = 0
        var offset = 0
        var isExhausted = false

        init(sequence: PageSequence) {
            self.sequence = sequence
        }

        /// The next item, fetching the next page first when needed; `nil` after the last.
        ///
        /// - Throws: ``AutoGitError`` when a page cannot be fetched, `CancellationError` when the task is cancelled.
        public mutating func next() async throws -> Item? {
            while index == buffer.count {
                guard !isExhausted else { return nil }
                try Task.checkCancellation()
                let page = try await sequence.fetch(sequence.pageSize, offset)
                buffer = page.items
                index = 0
                offset = (page.offset ?? offset) + page.items.count
                // An empty page ends the list even if the server claims more, so a confused server cannot loop us.
                isExhausted = !page.hasMore || page.items.isEmpty
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}
