/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` lines, then samples.
struct PrometheusText {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, Double(value))
    }

    mutating func sample(_ name: String, _ value: Int) {
        sample(name, [], Double(value))
    }

    mutating func sample(_ name: String, _ value: Double) {
        sample(name, [], value)
    }

    /// A histogram's `_bucket` (cumulative, ending with `+Inf`), `_sum` and `_count` samples.
    mutating func histogram(
        _ name: String, _ labels: [(String, String)] = [], bounds: [Double], cumulativeCounts: [Int], sum: Double, count: Int
    ) {
        for (bound, cumulative) in zip(bounds, cumulativeCounts) {
            sample(name + "_bucket", labels + [("le", Self.format(bound))], cumulative)
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], count)
        sample(name + "_sum", labels, sum)
        sample(name + "_count", labels, count)
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
