/// Writes usage lines and `--help` text from the declarations, so help can never disagree with the parser.
struct HelpFormatter: Sendable {
    /// Columns to wrap help text in; clamped so help stays readable on very wide or very narrow terminals.
    var width: Int

    init(width: Int = Terminal.defaultWidth) {
        self.width = min(max(width, 60), 100)
    }

    /// `autogit runners get <id> [options]`, `autogit runners <command> [options]`,
    /// `autogit jobs submit [options] [-- <command>...]`.
    func usage(for path: [CommandSpec]) -> String {
        let command = path[path.count - 1]
        var words = [path.commandName]
        if command.isGroup { words.append("<command>") }
        words += command.arguments.map(\.synopsis)
        words.append("[options]")
        if let passthrough = command.passthrough { words.append("[-- <\(passthrough.name)>...]") }
        return words.joined(separator: " ")
    }

    /// The full help for the last command of `path`.
    func help(for path: [CommandSpec]) -> String {
        let command = path[path.count - 1]
        let commandRows = command.visibleSubcommands.map { ($0.name, $0.abstract) }
        var argumentRows = command.arguments.map { ($0.synopsis, $0.help) }
        if let passthrough = command.passthrough {
            argumentRows.append(("-- <\(passthrough.name)>...", passthrough.help))
        }
        let optionRows = command.visibleOptions.map { ($0.synopsis, $0.helpWithDetails) }
        let globalRows = path.inheritedOptions.filter { !$0.isHidden }.map { ($0.synopsis, $0.helpWithDetails) }
        // One left column width for the whole page, so every section lines up; narrow enough that descriptions keep
        // 30 columns and the page its width (longer names get a line of their own).
        let leftWidth = min((commandRows + argumentRows + optionRows + globalRows).map(\.0.count).max() ?? 0, 28, max(8, width - 34))

        var sections: [String] = []
        if !command.abstract.isEmpty { sections.append(wrapped(command.abstract)) }
        sections.append("Usage: " + usage(for: path))
        if !command.discussion.isEmpty { sections.append(wrapped(command.discussion)) }
        for (title, rows) in [
            ("Commands", commandRows), ("Arguments", argumentRows), ("Options", optionRows), ("Global options", globalRows),
        ] where !rows.isEmpty {
            sections.append(title + ":\n" + twoColumns(rows, leftWidth: leftWidth))
        }
        if !command.examples.isEmpty {
            let examples = command.examples.map { "  # \($0.explanation)\n  \($0.command)" }
            sections.append("Examples:\n" + examples.joined(separator: "\n\n"))
        }
        if !command.visibleSubcommands.isEmpty {
            sections.append("Run '\(path.commandName) <command> --help' for more about a command.")
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// The lines a usage error ends with: the command's usage and where to read more.
    func usageReminder(for path: [CommandSpec]) -> String {
        "Usage: \(usage(for: path))\nRun '\(path.commandName) --help' for more information."
    }

    private func wrapped(_ text: String) -> String {
        TextWrapping.wrap(text, width: width).joined(separator: "\n")
    }

    /// Names on the left, descriptions wrapped on the right; a name too long for the left column puts its
    /// description on the next line.
    private func twoColumns(_ rows: [(String, String)], leftWidth: Int) -> String {
        let indent = 2
        let rightStart = indent + leftWidth + 2
        let rightWidth = max(width - rightStart, 20)
        var lines: [String] = []
        for (left, right) in rows {
            let description = TextWrapping.wrap(right, width: rightWidth)
            let padding = String(repeating: " ", count: rightStart)
            if left.count > leftWidth {
                lines.append(String(repeating: " ", count: indent) + left)
                lines += description.map { padding + $0 }
            } else {
                let head = String(repeating: " ", count: indent) + left
                let first = description.first.map { head + String(repeating: " ", count: rightStart - head.count) + $0 } ?? head
                lines.append(first)
                lines += description.dropFirst().map { padding + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }
}
