/// Greedy word wrapping for help text.
enum TextWrapping {
    /// `text` broken into lines of at most `width` characters at spaces (longer words stay whole).
    ///
    /// Blank lines separate paragraphs and are kept; lines starting with two spaces (examples, lists) are kept
    /// verbatim.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var paragraph: [Substring] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            var line = ""
            for word in paragraph.joined(separator: " ").split(separator: " ") {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            if !line.isEmpty { lines.append(line) }
            paragraph = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " }) {
                flush()
                lines.append("")
            } else if line.hasPrefix("  ") {
                flush()
                lines.append(String(line))
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return lines
    }
}
