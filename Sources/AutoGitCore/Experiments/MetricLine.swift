import Foundation

/// A metric report a job step prints on its own line: `::metric loss=0.52 acc=0.91 step=10`.
///
/// One or more `key=value` pairs after `::metric`; `step=N` sets the step for all of them (without it the runner
/// numbers points itself, per key). Keys are letters, digits and `_ . / -`; values are finite decimals
/// (`1e-3` allowed). A malformed line is not a metric line: it stays ordinary output.
public struct MetricLine: Sendable, Hashable {
    public var step: Int?
    /// The values in the order printed.
    public var values: [(key: String, value: Double)]

    public init(step: Int? = nil, values: [(key: String, value: Double)]) {
        self.step = step
        self.values = values
    }

    /// The metric line in `text`, or nil when it is not one.
    public init?(parsing text: some StringProtocol) {
        var rest = Substring(text).drop { $0 == " " || $0 == "\t" }
        guard rest.hasPrefix("::metric") else { return nil }
        rest = rest.dropFirst("::metric".count)
        guard rest.first == " " || rest.first == "\t" else { return nil }
        var step: Int?
        var values: [(key: String, value: Double)] = []
        for field in rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            guard let equals = field.firstIndex(of: "=") else { return nil }
            let key = field[..<equals]
            let raw = field[field.index(after: equals)...]
            guard Self.isKey(key), !raw.isEmpty else { return nil }
            if key == "step" {
                guard let number = Int(raw), number >= 0 else { return nil }
                step = number
                continue
            }
            guard let value = Double(raw), value.isFinite else { return nil }
            values.append((String(key), value))
        }
        guard !values.isEmpty else { return nil }
        self.step = step
        self.values = values
    }

    /// The points of this line at `step` (the line's own step wins), stamped with `timestamp`.
    public func points(defaultStep: Int, timestamp: Date? = nil) -> [MetricPoint] {
        values.map { MetricPoint(key: $0.key, step: step ?? defaultStep, value: $0.value, timestamp: timestamp) }
    }

    private static func isKey(_ key: Substring) -> Bool {
        guard let first = key.first, first.isLetter || first == "_" else { return false }
        return key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_./-".contains($0)) }
    }

    public static func == (left: MetricLine, right: MetricLine) -> Bool {
        left.step == right.step && left.values.elementsEqual(right.values) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(step)
        for (key, value) in values {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}
