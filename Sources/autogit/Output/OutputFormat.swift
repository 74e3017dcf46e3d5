/// How list and detail commands print their results (`-o`).
enum OutputFormat: String, CaseIterable, Sendable {
    /// Columns sized to the terminal, times relative ("3m ago").
    case table
    /// The table with its extra columns, never truncated.
    case wide
    /// The API's JSON with sorted keys and RFC 3339 times: stable for scripts.
    case json

    static var names: [String] { allCases.map(\.rawValue) }
}
