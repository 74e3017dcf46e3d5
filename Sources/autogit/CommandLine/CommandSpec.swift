/// A command declared as data.
///
/// The parser, `--help`, `autogit help`, the completion scripts and `Docs/cli.md` are all generated from these
/// declarations, so an option is described once and the descriptions cannot drift apart.
struct CommandSpec: Sendable {
    /// What a command does once its arguments are parsed; returns the process exit code.
    typealias Handler = @Sendable (ParsedArguments, CommandContext) async throws -> Int32

    /// A worked example shown in help and in the reference.
    struct Example: Sendable, Hashable {
        var command: String
        var explanation: String

        init(_ command: String, _ explanation: String) {
            self.command = command
            self.explanation = explanation
        }
    }

    var name: String
    /// One line, no trailing period: shown in command lists.
    var abstract: String
    /// Paragraphs shown after the usage line in the command's own help.
    var discussion: String
    var aliases: [String]
    var options: [OptionSpec]
    var arguments: [ArgumentSpec]
    /// What the words after `--` mean, for commands that hand a command line on unparsed
    /// (`jobs submit -- python train.py`); `nil` when `--` only ends option parsing.
    var passthrough: ArgumentSpec?
    var subcommands: [CommandSpec]
    var examples: [Example]
    /// Hidden commands parse and run but appear in no help, completion or reference.
    var isHidden: Bool
    /// `nil` for a group: running it shows its help.
    var run: Handler?

    init(
        _ name: String, abstract: String, discussion: String = "", aliases: [String] = [], arguments: [ArgumentSpec] = [],
        passthrough: ArgumentSpec? = nil, options: [OptionSpec] = [], subcommands: [CommandSpec] = [],
        examples: [Example] = [], isHidden: Bool = false, run: Handler? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.aliases = aliases
        self.options = options
        self.arguments = arguments
        self.passthrough = passthrough
        self.subcommands = subcommands
        self.examples = examples
        self.isHidden = isHidden
        self.run = run
    }

    /// Whether this command only groups others.
    var isGroup: Bool { run == nil && !subcommands.isEmpty }

    var visibleSubcommands: [CommandSpec] { subcommands.filter { !$0.isHidden } }

    var visibleOptions: [OptionSpec] { options.filter { !$0.isHidden } }

    /// The direct subcommand called `word`, by name or alias.
    func subcommand(named word: String) -> CommandSpec? {
        subcommands.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// The chain of commands from `self` down along `names` (each a name or alias), or `nil` when one is unknown.
    func path(to names: [String]) -> [CommandSpec]? {
        var path = [self]
        for name in names {
            guard let next = path[path.count - 1].subcommand(named: name) else { return nil }
            path.append(next)
        }
        return path
    }

    /// Every command below this one, depth first, each with its path from `self` (inclusive).
    func descendants(includingHidden: Bool = false) -> [[CommandSpec]] {
        var result: [[CommandSpec]] = []
        func visit(_ path: [CommandSpec]) {
            for child in path[path.count - 1].subcommands where includingHidden || !child.isHidden {
                let childPath = path + [child]
                result.append(childPath)
                visit(childPath)
            }
        }
        visit([self])
        return result
    }
}

extension Array where Element == CommandSpec {
    /// The command line words naming this path: `autogit runners list`.
    var commandName: String { map(\.name).joined(separator: " ") }

    /// The options in force at the end of this path: the command's own, then those inherited from its ancestors.
    /// A command's own declaration shadows an ancestor's of the same long name.
    var availableOptions: [OptionSpec] {
        var seen = Set<String>()
        var result: [OptionSpec] = []
        for command in reversed() {
            for option in command.options where seen.insert(option.long).inserted {
                result.append(option)
            }
        }
        return result
    }

    /// The options inherited from ancestors and not shadowed by the last command's own.
    var inheritedOptions: [OptionSpec] {
        guard let last else { return [] }
        let own = Set(last.options.map(\.long))
        return Array(dropLast()).availableOptions.filter { !own.contains($0.long) }
    }
}
