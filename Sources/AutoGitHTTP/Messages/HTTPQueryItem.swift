/// One `name=value` pair of a query string, decoded.
public struct HTTPQueryItem: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Splits on `&`, then on the first `=`; `+` means space and `%XX` is decoded. Empty pairs are skipped.
    static func parse(_ query: some StringProtocol) -> [HTTPQueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return HTTPQueryItem(
                    name: PercentDecoding.decode(pair[..<equals], plusAsSpace: true),
                    value: PercentDecoding.decode(pair[pair.index(after: equals)...], plusAsSpace: true)
                )
            }
            return HTTPQueryItem(name: PercentDecoding.decode(pair, plusAsSpace: true), value: "")
        }
    }
}
