import AutoGitCore
import Foundation

/// Prints a command's result in the format the user chose: a table, a wide table, JSON, or ids only (`-q`).
///
/// Commands hand over the value (for JSON), its ids (for `-q`) and a way to build the table; the renderer decides
/// which is printed, so every command honours `-o` and `-q` the same way.
struct OutputRenderer: Sendable {
    var console: Console
    var format: OutputFormat
    /// Ids only, whatever the format: the output for `xargs` and shell loops.
    var isQuiet: Bool
    var styler: Styler
    /// The instant tables measure relative times from.
    var now: Date

    /// Prints `value` as JSON, its `ids` one per line, or the table `makeTable` builds. An empty table prints
    /// `empty` to standard error instead, so people see that nothing matched while pipes receive nothing.
    func render(_ value: some Encodable, ids: [String], empty: String = "No results.", table makeTable: () -> Table) throws {
        if isQuiet {
            for id in ids { console.writeLine(id) }
            return
        }
        if format == .json {
            console.writeLine(try json(value))
            return
        }
        let table = makeTable()
        guard !table.rows.isEmpty else {
            console.writeErrorLine(empty)
            return
        }
        if format == .wide {
            console.output(table.render(width: nil, includeWideColumns: true, styler: styler))
        } else {
            console.output(table.render(width: console.width, styler: styler))
        }
    }

    /// `value` as the API's JSON: sorted keys, pretty-printed, RFC 3339 dates.
    func json(_ value: some Encodable) throws -> String {
        String(decoding: try AutoGitJSON.encode(value, pretty: true), as: UTF8.self)
    }

    /// A time for a table cell: relative to ``now``, or "-" when there is none.
    func time(_ date: Date?) -> String {
        date.map { RelativeTime.describe($0, relativeTo: now) } ?? "-"
    }

    /// A status word for a table cell, coloured by what it means.
    func status(_ status: String) -> Table.Cell {
        Table.Cell(status, style: TextStyle.forStatus(status))
    }
}

extension OutputRenderer {
    /// Prints one resource: its JSON, its id (`-q`), or the detail list `makeDetails` builds.
    func renderDetails(_ value: some Encodable, id: String, details makeDetails: () -> DetailList) throws {
        if isQuiet {
            console.writeLine(id)
            return
        }
        switch format {
        case .json:
            console.writeLine(try json(value))
        case .table:
            console.output(makeDetails().render(width: console.width, styler: styler))
        case .wide:
            console.output(makeDetails().render(width: nil, styler: styler))
        }
    }

    /// Prints the outcome of an action on one resource (`runners stop r-1`): JSON of the result, the id with
    /// `-q`, or one line for people.
    func renderAction(_ value: some Encodable, id: String, message: String) throws {
        if isQuiet {
            console.writeLine(id)
        } else if format == .json {
            console.writeLine(try json(value))
        } else {
            console.writeLine(message)
        }
    }

    /// Mebibytes in the largest unit that keeps them readable ("80 GiB", "512 MiB").
    func memory(megabytes: Int?) -> String {
        guard let megabytes else { return "-" }
        if megabytes >= 1024 { return Self.decimal(Double(megabytes) / 1024) + " GiB" }
        return "\(megabytes) MiB"
    }

    /// A percentage from 0 to 100 (the API's unit for load and utilisation) as "42%".
    func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return "\(Int(value.rounded()))%"
    }

    /// A duration in seconds as "42s", "3m05s", "2h10m".
    func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds >= 0 else { return "-" }
        let whole = Int(seconds.rounded())
        switch whole {
        case ..<60: return "\(whole)s"
        case ..<3600: return "\(whole / 60)m" + String(format: "%02ds", whole % 60)
        default: return "\(whole / 3600)h" + String(format: "%02dm", whole % 3600 / 60)
        }
    }

    /// A list for a table cell: comma-separated, or "-" when empty.
    func list(_ values: [String]) -> String {
        values.isEmpty ? "-" : values.joined(separator: ",")
    }

    /// At most one decimal, without a trailing ".0".
    static func decimal(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
