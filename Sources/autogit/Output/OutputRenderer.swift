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

    /// Prints `value` as JSON, its `ids` one per line, or the table `makeTable` builds.
    func render(_ value: some Encodable, ids: [String], table makeTable: () -> Table) throws {
        if isQuiet {
            for id in ids { console.writeLine(id) }
            return
        }
        switch format {
        case .json:
            console.writeLine(try json(value))
        case .table:
            console.output(makeTable().render(width: console.width, styler: styler))
        case .wide:
            console.output(makeTable().render(width: nil, includeWideColumns: true, styler: styler))
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
