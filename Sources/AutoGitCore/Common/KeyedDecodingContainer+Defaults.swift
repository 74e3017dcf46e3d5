extension KeyedDecodingContainer {
    /// Decodes `key` when present and not null, else returns `fallback`: lenient reading of optional fields
    /// that have a natural default (empty lists, zero counters), so older and newer servers both decode.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key, default fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(type, forKey: key) ?? fallback()
    }
}
