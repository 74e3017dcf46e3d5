import Foundation

/// The values the parser found for one command line, keyed by the declared names.
///
/// Options are keyed by their long name without dashes (`"server"`), positionals by their argument name (`"id"`).
/// Values from the environment and declared defaults are already filled in; ``source(of:)`` says which applied.
struct ParsedArguments: Sendable, Hashable {
    /// Where an option's value came from.
    enum Source: Sendable, Hashable {
        case commandLine
        case environment(String)
        case defaultValue
    }

    private(set) var optionValues: [String: [String]] = [:]
    private(set) var sources: [String: Source] = [:]
    private(set) var argumentValues: [String: [String]] = [:]
    /// The words after `--` for a command that declares a passthrough, unparsed.
    var passthrough: [String] = []

    init() {}

    mutating func record(_ value: String, for option: OptionSpec, from source: Source) {
        if option.kind == .repeatable, sources[option.long] == source {
            optionValues[option.long, default: []].append(value)
        } else {
            optionValues[option.long] = [value]
        }
        sources[option.long] = source
    }

    mutating func record(_ values: [String], for argument: ArgumentSpec) {
        argumentValues[argument.name] = values
    }

    func hasValue(for option: String) -> Bool { optionValues[option] != nil }

    /// Whether a flag is on (given, or switched on by its environment variable).
    func isSet(_ flag: String) -> Bool { optionValues[flag] != nil }

    /// The option's value: the last one given, else its environment variable, else its default.
    func value(_ option: String) -> String? { optionValues[option]?.last }

    /// Every value of a repeatable option, in command line order.
    func values(_ option: String) -> [String] { optionValues[option] ?? [] }

    func source(of option: String) -> Source? { sources[option] }

    /// Whether the user gave the option on the command line or in its environment variable, not by default.
    func isExplicit(_ option: String) -> Bool {
        switch sources[option] {
        case .commandLine, .environment: true
        case .defaultValue, nil: false
        }
    }

    /// Every value of a repeatable option with commas splitting values too (`-l a,b -l c`), trimmed, in order and
    /// without repeats; an empty item is a usage error naming the option.
    func commaSeparated(_ option: String) throws(CLIError) -> [String] {
        var result: [String] = []
        for item in values(option).flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let item = item.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw .invalidValue("", for: "--" + option, expected: "a non-empty \(option)") }
            if !result.contains(item) { result.append(item) }
        }
        return result
    }

    /// The `KEY=VALUE` values of a repeatable option as environment variables, later ones winning; a usage error
    /// naming the option for a value without `=` or with a key that is not a variable name.
    func environment(_ option: String) throws(CLIError) -> [String: String] {
        var result: [String: String] = [:]
        for assignment in values(option) {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw .invalidValue(assignment, for: "--" + option, expected: "KEY=VALUE")
            }
            let key = String(assignment[..<equals])
            guard Self.isEnvironmentName(key) else {
                throw .invalidValue(assignment, for: "--" + option, expected: "a variable name of letters, digits and _ before '='")
            }
            result[key] = String(assignment[assignment.index(after: equals)...])
        }
        return result
    }

    private static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    func argument(_ name: String) -> String? { argumentValues[name]?.first }

    func arguments(_ name: String) -> [String] { argumentValues[name] ?? [] }

    /// The option's value as an integer; a usage error naming the option when it is not one.
    func integer(_ option: String) throws(CLIError) -> Int? {
        guard let text = value(option) else { return nil }
        guard let number = Int(text) else { throw .invalidValue(text, for: "--" + option, expected: "an integer") }
        return number
    }

    /// The option's value as an integer of at least 1; a usage error naming the option otherwise.
    func positiveInteger(_ option: String) throws(CLIError) -> Int? {
        guard let number = try integer(option) else { return nil }
        guard number >= 1 else { throw .invalidValue(String(number), for: "--" + option, expected: "a whole number of at least 1") }
        return number
    }

    /// The positional argument `name`, which the parser has already required.
    func required(_ name: String) throws(CLIError) -> String {
        guard let value = argument(name) else { throw .usage("missing argument <\(name)>", code: .missingArgument) }
        return value
    }

    /// The option's value as a whole number of seconds, from `300`, `90s`, `5m`, `2h`, `1d` or `1h30m`.
    func duration(_ option: String) throws(CLIError) -> Int? {
        guard let text = value(option) else { return nil }
        guard let seconds = DurationArgument.seconds(in: text) else {
            throw .invalidValue(text, for: "--" + option, expected: "a duration such as 300, 90s, 5m, 2h or 1h30m")
        }
        return seconds
    }
}
