import AutoGitCore

/// Reads a list endpoint for a command: up to `limit` items (every item without one), in pages as large as the
/// API allows, keeping the server's `total_count` so `-o json` prints a page shaped as the API's.
enum PageFetcher {
    /// The largest `limit` the API accepts.
    static let maximumPageSize = 500

    static func fetch<Item>(
        limit: Int?, _ page: (_ limit: Int, _ offset: Int) async throws -> Page<Item>
    ) async throws -> Page<Item> {
        var items: [Item] = []
        var total: Int?
        var hasMore = true
        while hasMore {
            let wanted = limit.map { $0 - items.count } ?? maximumPageSize
            guard wanted > 0 else { break }
            let next = try await page(min(wanted, maximumPageSize), items.count)
            total = total ?? next.totalCount
            items += next.items
            hasMore = next.hasMore && !next.items.isEmpty
        }
        let totalCount = max(total ?? items.count, items.count)
        return Page(items: items, totalCount: totalCount, hasMore: items.count < totalCount, limit: limit, offset: 0)
    }
}
