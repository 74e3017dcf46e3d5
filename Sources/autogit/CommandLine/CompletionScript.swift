/// Shell completion scripts written from the declarations: subcommands, options (with their allowed values) and
/// files where an option takes a file.
///
/// Each script walks the words typed so far the same way the parser does (skipping option values, following
/// aliases) to find the command being completed, then offers what that command declares.
struct CompletionScript: Sendable {
    enum Shell: String, CaseIterable, Sendable {
        case bash, zsh, fish
    }

    var root: CommandSpec

    func render(for shell: Shell) -> String {
        switch shell {
        case .bash: bash()
        case .zsh: zsh()
        case .fish: fish()
        }
    }

    /// Every visible command, the root first, as paths from the root.
    var paths: [[CommandSpec]] { [[root]] + root.descendants() }

    /// Whether an option's value is a path, so the shell should complete file names.
    static func takesFile(_ option: OptionSpec) -> Bool {
        ["file", "dir", "directory", "path"].contains(option.valueName)
    }

    /// The words that lead from a command to its subcommand: `("autogit runners", "ls", "list")` for each name
    /// and alias of each subcommand.
    var subcommandWords: [(path: String, word: String, name: String)] {
        paths.flatMap { path in
            path[path.count - 1].subcommands.flatMap { child in
                ([child.name] + child.aliases).map { (path.commandName, $0, child.name) }
            }
        }
    }

    /// The spellings of options that take a value, per command: what the walk must skip one word after.
    var valueSpellings: [(path: String, spellings: [String])] {
        paths.map { path in
            let options = path.availableOptions.filter(\.takesValue)
            return (path.commandName, options.flatMap { [$0.longName] + ($0.shortName.map { [$0] } ?? []) })
        }
    }

    /// What to offer after an option that takes a value: its allowed values, or files.
    var valueChoices: [(path: String, spellings: [String], choices: [String])] {
        paths.flatMap { path in
            path.availableOptions.filter(\.takesValue).compactMap { option in
                let spellings = [option.longName] + (option.shortName.map { [$0] } ?? [])
                if Self.takesFile(option) { return (path.commandName, spellings, ["__files"]) }
                return option.allowedValues.isEmpty ? nil : (path.commandName, spellings, option.allowedValues)
            }
        }
    }

    /// The allowed values of a command's first positional argument (`completion <shell>`).
    func argumentChoices(_ path: [CommandSpec]) -> [String] {
        path[path.count - 1].arguments.first?.allowedValues ?? []
    }
}
