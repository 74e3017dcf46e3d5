/// A table of text for people: headers, aligned columns, and the widest column cut with "…" so each row fits the
/// terminal.
///
/// Cells hold plain text and an optional style; styles are applied after measuring and cutting, so escape codes
/// never count toward widths. Widths count characters, which is right for the ASCII ids and names AutoGit shows.
struct Table: Sendable {
    struct Column: Sendable, Hashable {
        enum Alignment: Sendable, Hashable { case left, right }

        var title: String
        var alignment: Alignment
        /// Shown only with `-o wide`.
        var isWideOnly: Bool

        init(_ title: String, alignment: Alignment = .left, isWideOnly: Bool = false) {
            self.title = title
            self.alignment = alignment
            self.isWideOnly = isWideOnly
        }
    }

    struct Cell: Sendable, Hashable, ExpressibleByStringLiteral {
        var text: String
        var style: TextStyle?

        init(_ text: String, style: TextStyle? = nil) {
            self.text = text
            self.style = style
        }

        init(stringLiteral value: String) { self.init(value) }
    }

    /// Space between columns.
    static let gap = 2
    /// No column is cut narrower than this, so a cut cell still shows a little of its text.
    static let minimumColumnWidth = 4

    var columns: [Column]
    var rows: [[Cell]]

    init(columns: [Column], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Lays the table out in at most `width` columns (`nil`: no limit), with or without the wide-only columns.
    /// Every line ends with a newline; the last column is not padded.
    func render(width: Int?, includeWideColumns: Bool = false, styler: Styler = Styler(isEnabled: false)) -> String {
        let shown = columns.indices.filter { includeWideColumns || !columns[$0].isWideOnly }
        guard !shown.isEmpty else { return "" }
        let header = shown.map { Cell(columns[$0].title.uppercased(), style: .bold) }
        let body = rows.map { row in shown.map { $0 < row.count ? row[$0] : Cell("") } }
        var widths = shown.indices.map { position in
            ([header] + body).map { $0[position].text.count }.max() ?? 0
        }
        if let width { fit(&widths, into: width) }
        var text = ""
        for row in [header] + body {
            var line = ""
            for (position, cell) in row.enumerated() {
                let isLast = position == row.count - 1
                let cut = Self.truncate(cell.text, to: widths[position])
                let padding = String(repeating: " ", count: widths[position] - cut.count)
                let styled = styler.apply(cell.style, to: cut)
                switch columns[shown[position]].alignment {
                case .left: line += isLast ? styled : styled + padding
                case .right: line += padding + styled
                }
                if !isLast { line += String(repeating: " ", count: Self.gap) }
            }
            text += line + "\n"
        }
        return text
    }

    /// Narrows the widest column, one character at a time, until the row fits `width` or every column is at its
    /// minimum.
    private func fit(_ widths: inout [Int], into width: Int) {
        var excess = widths.reduce(0, +) + Self.gap * (widths.count - 1) - width
        while excess > 0 {
            guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                widths[widest] > Self.minimumColumnWidth
            else { return }
            widths[widest] -= 1
            excess -= 1
        }
    }

    /// `text` cut to `width` characters, ending in "…" when cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(width)) }
        return String(text.prefix(width - 1)) + "…"
    }
}
