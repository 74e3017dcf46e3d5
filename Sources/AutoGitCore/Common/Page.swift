/// One page of a list: the items, how many exist in all, and whether more follow.
///
/// Every list endpoint answers with this shape (`{"items": [...], "total_count": 42, "has_more": true}`).
/// Decoding also accepts the seed systems' shape, where the array sits under a resource-named key
/// (`{"runners": [...], "total_count": 1}`), so the SDK reads lists from any compatible server.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var totalCount: Int
    public var hasMore: Bool
    public var limit: Int?
    public var offset: Int?

    public init(items: [Item], totalCount: Int? = nil, hasMore: Bool = false, limit: Int? = nil, offset: Int? = nil) {
        self.items = items
        self.totalCount = totalCount ?? items.count
        self.hasMore = hasMore
        self.limit = limit
        self.offset = offset
    }

    enum CodingKeys: String, CodingKey {
        case items
        case totalCount = "total_count"
        case hasMore = "has_more"
        case limit, offset
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let items = try container.decodeIfPresent([Item].self, forKey: .items) {
            self.items = items
        } else {
            // Seed shape: the first member holding an array of items ("runners", "jobs", "logs", "instances" ...).
            let any = try decoder.container(keyedBy: AnyKey.self)
            let known: Set<String> = ["total_count", "has_more", "limit", "offset", "total", "page"]
            var found: [Item]?
            for key in any.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
                if let items = try? any.decode([Item].self, forKey: key) {
                    found = items
                    break
                }
            }
            guard let found else {
                throw DecodingError.keyNotFound(
                    CodingKeys.items, .init(codingPath: decoder.codingPath, debugDescription: "No list of items found"))
            }
            self.items = found
        }
        let total =
            try container.decodeIfPresent(Int.self, forKey: .totalCount)
            ?? (try? decoder.container(keyedBy: AnyKey.self).decode(Int.self, forKey: AnyKey(stringValue: "total")))
        self.totalCount = total ?? items.count
        self.limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        self.offset = try container.decodeIfPresent(Int.self, forKey: .offset)
        self.hasMore =
            try container.decodeIfPresent(Bool.self, forKey: .hasMore)
            ?? ((offset ?? 0) + items.count < totalCount)
    }
}

extension Page: Equatable where Item: Equatable {}
extension Page: Hashable where Item: Hashable {}
