/// One resource shown to people as aligned `Label:  value` lines, with optional titled sections (a job's steps, a
/// runner's GPUs) below. `-o json` never uses it: JSON output is the API's value.
struct DetailList: Sendable {
    struct Row: Sendable {
        var label: String
        var value: Table.Cell
    }

    var rows: [Row] = []
    /// Tables shown after the rows, each under its title.
    var sections: [(title: String, table: Table)] = []

    /// Adds a row; `nil` values are shown as "-" so every resource of a kind has the same rows.
    mutating func add(_ label: String, _ value: String?, style: TextStyle? = nil) {
        rows.append(Row(label: label, value: Table.Cell(value ?? "-", style: value == nil ? nil : style)))
    }

    mutating func add(_ label: String, _ cell: Table.Cell) {
        rows.append(Row(label: label, value: cell))
    }

    mutating func addSection(_ title: String, _ table: Table) {
        sections.append((title, table))
    }

    func render(width: Int?, styler: Styler) -> String {
        let labelWidth = (rows.map(\.label.count).max() ?? 0) + 1
        var text = ""
        for row in rows {
            let label = row.label + ":"
            let padding = String(repeating: " ", count: labelWidth - label.count + 2)
            text += styler.apply(.bold, to: label) + padding + styler.apply(row.value.style, to: row.value.text) + "\n"
        }
        for section in sections where !section.table.rows.isEmpty {
            text += "\n" + styler.apply(.bold, to: section.title) + "\n"
            text += section.table.render(width: width, styler: styler)
        }
        return text
    }
}
