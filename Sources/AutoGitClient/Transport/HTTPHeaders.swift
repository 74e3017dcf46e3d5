/// HTTP header fields in order, with case-insensitive lookup.
///
/// Names keep the spelling they were given; ``subscript(_:)`` finds a field whatever its case.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The fields, in order, as `(name, value)` pairs.
    public private(set) var fields: [Field]

    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The field's name, as given.
        public var name: String
        /// The field's value.
        public var value: String

        /// A field named `name` holding `value`.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// No fields.
    public init() {
        fields = []
    }

    /// The `(name, value)` pairs, in order; a name may repeat.
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    /// `["Content-Type": "application/json"]`, in the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The value of the first field named `name` (compared without case), or `nil`. Setting replaces every field
    /// of that name; setting `nil` removes them.
    public subscript(_ name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            guard let newValue else {
                fields.removeAll { $0.name.caseInsensitiveEquals(name) }
                return
            }
            guard let first = fields.firstIndex(where: { $0.name.caseInsensitiveEquals(name) }) else {
                fields.append(Field(name: name, value: newValue))
                return
            }
            var kept: [Field] = []
            for (index, field) in fields.enumerated() {
                if index == first {
                    kept.append(Field(name: field.name, value: newValue))
                } else if !field.name.caseInsensitiveEquals(name) {
                    kept.append(field)
                }
            }
            fields = kept
        }
    }

    /// Every value of the fields named `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// Adds a field, keeping those already there.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Iterates over the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    /// One `Name: value` line per field.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}
