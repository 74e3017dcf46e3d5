/// Header fields in arrival order. Names compare ASCII-case-insensitively; repeated names are kept as separate fields.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public typealias Field = (name: String, value: String)

    private var fields: [Field]

    public init() {
        fields = []
    }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value for `name`, or nil; setting replaces every field of that name (nil removes them).
    public subscript(name: String) -> String? {
        get { first(name) }
        set {
            if let newValue {
                replaceOrAdd(name: name, value: newValue)
            } else {
                remove(name: name)
            }
        }
    }

    /// The first value for `name`.
    public func first(_ name: String) -> String? {
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            return field.value
        }
        return nil
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        guard contains(name) else { return [] }
        return fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// How many fields are named `name`.
    public func count(of name: String) -> Int {
        var count = 0
        for field in fields where field.name.equalsIgnoringASCIICase(name) { count += 1 }
        return count
    }

    /// Whether a comma-separated list member of a field named `name` equals `token` (ASCII case-insensitive),
    /// without building the list: the check every request makes on `Connection`.
    public func containsToken(_ token: String, for name: String) -> Bool {
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            for member in field.value.split(separator: ",") where member.trimmingASCIIWhitespace().equalsIgnoringASCIICase(token) {
                return true
            }
        }
        return false
    }

    /// Comma-separated list members across every field named `name`, trimmed and lowercased (for tokens such as Connection).
    public func tokens(for name: String) -> [String] {
        values(for: name).flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace().lowercased() }
            .filter { !$0.isEmpty }
    }

    public func contains(_ name: String) -> Bool {
        first(name) != nil
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        if let index = fields.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) {
            fields[index] = (name: name, value: value)
            var next = index + 1
            while next < fields.count {
                if fields[next].name.equalsIgnoringASCIICase(name) {
                    fields.remove(at: next)
                } else {
                    next += 1
                }
            }
        } else {
            fields.append((name: name, value: value))
        }
    }

    public mutating func remove(name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality without allocating lowercased copies.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var left = utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let a?, let b?):
                if a == b { continue }
                let lower = a | 0x20
                if lower != b | 0x20 || lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
            default:
                return false
            }
        }
    }

    func trimmingASCIIWhitespace() -> Substring {
        var sub = Substring(self)
        while let first = sub.first, first == " " || first == "\t" { sub = sub.dropFirst() }
        while let last = sub.last, last == " " || last == "\t" { sub = sub.dropLast() }
        return sub
    }
}
