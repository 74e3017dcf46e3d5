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
    /// and alias of each visible subcommand.
    var subcommandWords: [(path: String, word: String, name: String)] {
        paths.flatMap { path in
            path[path.count - 1].visibleSubcommands.flatMap { child in
                ([child.name] + child.aliases).map { (path.commandName, $0, child.name) }
            }
        }
    }

    /// The root's options, which apply to every command; the scripts list them once rather than per command.
    var globalOptions: [OptionSpec] { root.options }

    /// The options a command has beyond the global ones: its own and those of the commands between it and the root.
    func ownOptions(_ path: [CommandSpec]) -> [OptionSpec] {
        Array(path.dropFirst()).availableOptions
    }

    /// `--output` and `-o`.
    static func spellings(_ option: OptionSpec) -> [String] {
        [option.longName] + (option.shortName.map { [$0] } ?? [])
    }

    /// The spellings of options that take a value: what the walk must skip one word after.
    static func valueSpellings(_ options: [OptionSpec]) -> [String] {
        options.filter(\.takesValue).flatMap(spellings)
    }

    /// What to offer after an option that takes a value: its allowed values, `__files` for a path, or nothing.
    static func choices(_ option: OptionSpec) -> [String]? {
        guard option.takesValue else { return nil }
        if takesFile(option) { return ["__files"] }
        return option.allowedValues.isEmpty ? nil : option.allowedValues
    }

    /// The allowed values of a command's first positional argument (`completion <shell>`).
    func argumentChoices(_ path: [CommandSpec]) -> [String] {
        path[path.count - 1].arguments.first?.allowedValues ?? []
    }
}
