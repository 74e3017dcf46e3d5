/// A string enumeration that keeps values this version does not know instead of failing to decode them.
///
/// Clients meet servers newer than themselves: a status such as `"hibernating"` decodes as `.unknown("hibernating")`
/// and encodes back unchanged. Conformers provide a non-failable `init(rawValue:)` and `rawValue`.
public protocol ExtensibleEnum: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension ExtensibleEnum {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
