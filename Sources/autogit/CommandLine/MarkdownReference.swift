/// The command reference (`Docs/cli.md`) written from the declarations by the hidden `autogit docs-markdown`.
///
/// The committed file is checked against this output by a test, so the reference cannot go stale.
struct MarkdownReference: Sendable {
    var root: CommandSpec

    func render() -> String {
        let help = HelpFormatter()
        var out = "# `\(root.name)` command reference\n\n"
        out += "<!-- Generated from the command declarations by `\(root.name) docs-markdown`. Do not edit by hand. -->\n\n"
        if !root.discussion.isEmpty { out += root.discussion + "\n\n" }
        out += "## Exit codes\n\n| Code | Meaning |\n| --- | --- |\n"
        for code in ExitCode.allCases { out += "| \(code.rawValue) | \(Self.cell(code.meaning)) |\n" }
        out += "\nA command that mirrors a job (`jobs submit --wait`) exits with the job's own exit code.\n\n"
        out += "## Global options\n\nThese work with every command, before or after its name.\n\n"
        out += Self.optionTable(root.visibleOptions)
        out += "\n## Commands\n\n| Command | Description |\n| --- | --- |\n"
        let paths = root.descendants()
        for path in paths {
            out += "| [`\(path.commandName)`](#\(Self.anchor(path.commandName))) | \(Self.cell(path[path.count - 1].abstract)) |\n"
        }
        for path in paths {
            let command = path[path.count - 1]
            let level = String(repeating: "#", count: min(path.count, 4))
            out += "\n\(level) \(path.commandName)\n\n"
            out += command.abstract + "\n\n"
            out += "```\n\(help.usage(for: path))\n```\n\n"
            if !command.aliases.isEmpty {
                out += "Aliases: " + command.aliases.map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
            }
            if !command.discussion.isEmpty { out += command.discussion + "\n\n" }
            var arguments = command.arguments.map { ($0.synopsis, $0.help) }
            if let passthrough = command.passthrough { arguments.append(("-- <\(passthrough.name)>...", passthrough.help)) }
            if !arguments.isEmpty {
                out += "| Argument | Description |\n| --- | --- |\n"
                for (name, help) in arguments { out += "| `\(name)` | \(Self.cell(help)) |\n" }
                out += "\n"
            }
            if !command.visibleOptions.isEmpty { out += Self.optionTable(command.visibleOptions) + "\n" }
            if !command.examples.isEmpty {
                out += "```sh\n"
                out += command.examples.map { "# \($0.explanation)\n\($0.command)\n" }.joined(separator: "\n")
                out += "```\n\n"
            }
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }

    private static func optionTable(_ options: [OptionSpec]) -> String {
        var out = "| Option | Description |\n| --- | --- |\n"
        for option in options { out += "| `\(option.synopsis)` | \(cell(option.helpWithDetails)) |\n" }
        return out
    }

    /// Text made safe for a table cell.
    private static func cell(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\n", with: " ")
    }

    /// The anchor GitHub gives a heading: lower case, spaces as dashes, other punctuation dropped.
    static func anchor(_ heading: String) -> String {
        String(
            heading.lowercased().compactMap { character -> Character? in
                if character == " " { return "-" }
                return character.isLetter || character.isNumber || character == "-" || character == "_" ? character : nil
            })
    }
}
