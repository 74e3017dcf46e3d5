/// Parses a command line against a tree of ``CommandSpec`` declarations.
///
/// Options may appear anywhere after the command that declares them, so inherited (global) options work before or
/// after subcommand names. Supported spellings: `--opt value`, `--opt=value`, `-o value`, `-ovalue`, bundled flags
/// (`-qv`), and `--` to end option parsing (or to start a command's passthrough).
struct CommandParser: Sendable {
    var root: CommandSpec

    /// Parses `arguments` (without the program name); `environment` supplies options' environment fallbacks.
    ///
    /// Throws a usage ``CLIError`` whose `commandPath` names the command reached when the problem was found.
    func parse(_ arguments: [String], environment: [String: String] = [:]) throws(CLIError) -> Invocation {
        var state = State(path: [root])
        do throws(CLIError) {
            try parse(arguments, into: &state)
            try finish(&state, environment: environment)
        } catch var error {
            error.commandPath = error.commandPath ?? state.path.dropFirst().map(\.name)
            throw error
        }
        return Invocation(path: state.path, arguments: state.parsed)
    }

    private struct State {
        var path: [CommandSpec]
        var parsed = ParsedArguments()
        var positionals: [String] = []
        var command: CommandSpec { path[path.count - 1] }
    }

    private func parse(_ arguments: [String], into state: inout State) throws(CLIError) {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                let rest = Array(arguments[index...])
                if state.command.passthrough != nil {
                    state.parsed.passthrough = rest
                } else {
                    state.positionals += rest
                }
                return
            }
            if word.hasPrefix("--") {
                try parseLongOption(word, arguments, &index, &state)
            } else if word.hasPrefix("-"), word.count > 1, !Self.isNegativeNumber(word) {
                try parseShortOptions(word, arguments, &index, &state)
            } else if state.positionals.isEmpty, !state.command.subcommands.isEmpty {
                if let subcommand = state.command.subcommand(named: word) {
                    state.path.append(subcommand)
                } else if state.command.arguments.isEmpty {
                    let names = state.command.visibleSubcommands.map(\.name)
                    throw .unknownCommand(
                        word, in: state.path.commandName, suggestion: SpellingSuggestion.closest(to: word, among: names))
                } else {
                    state.positionals.append(word)
                }
            } else {
                state.positionals.append(word)
            }
        }
    }

    private func parseLongOption(
        _ word: String, _ arguments: [String], _ index: inout Int, _ state: inout State
    ) throws(CLIError) {
        let body = word.dropFirst(2)
        let name: String
        var inlineValue: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            inlineValue = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
        }
        let available = state.path.availableOptions
        guard let option = available.first(where: { $0.long == name }) else {
            let candidates = available.filter { !$0.isHidden }.map(\.longName)
            throw .unknownOption("--" + name, suggestion: SpellingSuggestion.closest(to: "--" + name, among: candidates))
        }
        guard option.takesValue else {
            if inlineValue != nil { throw .unexpectedValue(for: option.longName) }
            state.parsed.record("true", for: option, from: .commandLine)
            return
        }
        let value: String
        if let inlineValue {
            value = inlineValue
        } else {
            value = try takeValue(for: option.longName, arguments, &index)
        }
        try record(value, for: option, spelledAs: option.longName, &state)
    }

    private func parseShortOptions(
        _ word: String, _ arguments: [String], _ index: inout Int, _ state: inout State
    ) throws(CLIError) {
        let letters = Array(word.dropFirst())
        let available = state.path.availableOptions
        for (position, letter) in letters.enumerated() {
            guard let option = available.first(where: { $0.short == letter }) else {
                throw .unknownOption("-" + String(letter), suggestion: nil)
            }
            let spelling = "-" + String(letter)
            guard option.takesValue else {
                state.parsed.record("true", for: option, from: .commandLine)
                continue
            }
            // The rest of the word is the value (`-ojson`, `-o=json`), else the next word is.
            var rest = String(letters[(position + 1)...])
            if rest.hasPrefix("=") { rest.removeFirst() }
            if rest.isEmpty { rest = try takeValue(for: spelling, arguments, &index) }
            try record(rest, for: option, spelledAs: spelling, &state)
            return
        }
    }

    /// The next word as an option's value, unless it is missing or looks like another option.
    private func takeValue(for spelling: String, _ arguments: [String], _ index: inout Int) throws(CLIError) -> String {
        guard index < arguments.count else { throw .missingValue(for: spelling) }
        let next = arguments[index]
        if next.hasPrefix("-"), next.count > 1, !Self.isNegativeNumber(next) { throw .missingValue(for: spelling) }
        index += 1
        return next
    }

    private func record(
        _ value: String, for option: OptionSpec, spelledAs spelling: String, _ state: inout State
    )
        throws(CLIError)
    {
        try check(value, allowed: option.allowedValues, for: spelling)
        state.parsed.record(value, for: option, from: .commandLine)
    }

    private func check(_ value: String, allowed: [String], for name: String) throws(CLIError) {
        guard !allowed.isEmpty, !allowed.contains(value) else { return }
        throw .invalidValue(value, for: name, expected: "one of " + allowed.joined(separator: ", "))
    }

    /// Fills environment fallbacks and defaults, then assigns positionals (unless help was asked for, which needs
    /// none of them).
    private func finish(_ state: inout State, environment: [String: String]) throws(CLIError) {
        for option in state.path.availableOptions where !state.parsed.hasValue(for: option.long) {
            if let variable = option.environmentVariable, let value = environment[variable], !value.isEmpty {
                if option.kind == .flag {
                    if !["0", "false", "no", "off"].contains(value.lowercased()) {
                        state.parsed.record("true", for: option, from: .environment(variable))
                    }
                } else {
                    try check(value, allowed: option.allowedValues, for: variable)
                    state.parsed.record(value, for: option, from: .environment(variable))
                }
            } else if let defaultValue = option.defaultValue {
                state.parsed.record(defaultValue, for: option, from: .defaultValue)
            }
        }
        if state.parsed.isSet(OptionSpec.help.long) || state.parsed.isSet(OptionSpec.version.long) { return }
        var remaining = state.positionals[...]
        for argument in state.command.arguments {
            let taken: [String]
            if argument.isVariadic {
                taken = Array(remaining)
                remaining = []
            } else {
                taken = remaining.first.map { [$0] } ?? []
                remaining = remaining.dropFirst()
            }
            if taken.isEmpty {
                if !argument.isOptional { throw .missingArgument(argument) }
                continue
            }
            for value in taken { try check(value, allowed: argument.allowedValues, for: "<\(argument.name)>") }
            state.parsed.record(taken, for: argument)
        }
        if let extra = remaining.first {
            if state.command.isGroup {
                throw .unknownCommand(
                    extra, in: state.path.commandName,
                    suggestion: SpellingSuggestion.closest(to: extra, among: state.command.visibleSubcommands.map(\.name)))
            }
            throw .unexpectedArgument(extra)
        }
    }

    /// `-1` or `-0.5` is a value, not an option.
    static func isNegativeNumber(_ word: String) -> Bool {
        let digits = word.utf8.dropFirst()
        return word.hasPrefix("-") && digits.first.map { $0 >= 48 && $0 <= 57 } == true
            && digits.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") }
    }
}
