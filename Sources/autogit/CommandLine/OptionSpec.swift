/// A declared `--option`: its spelling, its help, and how the parser treats it.
struct OptionSpec: Sendable, Hashable {
    /// How many values an option takes.
    enum Kind: Sendable, Hashable {
        /// Present or absent; takes no value.
        case flag
        /// Takes one value; given twice, the last one wins.
        case value
        /// Takes one value each time and may be given many times (`--label a --label b`).
        case repeatable
    }

    /// The long name without dashes: `server` for `--server`.
    var long: String
    var short: Character?
    /// Shown in usage as `<valueName>`; names the kind of value (`url`, `file`, `n`).
    var valueName: String
    var help: String
    var kind: Kind
    /// Used when the option is neither given nor found in its environment variable.
    var defaultValue: String?
    /// When non-empty, any other value is a usage error; completion scripts offer these.
    var allowedValues: [String]
    /// Read when the option is not on the command line.
    var environmentVariable: String?
    var isHidden: Bool

    init(
        long: String, short: Character? = nil, valueName: String = "value", help: String, kind: Kind,
        defaultValue: String? = nil, allowedValues: [String] = [], environmentVariable: String? = nil, isHidden: Bool = false
    ) {
        self.long = long
        self.short = short
        self.valueName = valueName
        self.help = help
        self.kind = kind
        self.defaultValue = defaultValue
        self.allowedValues = allowedValues
        self.environmentVariable = environmentVariable
        self.isHidden = isHidden
    }

    /// A switch such as `--quiet`.
    static func flag(_ long: String, short: Character? = nil, help: String, isHidden: Bool = false) -> OptionSpec {
        OptionSpec(long: long, short: short, help: help, kind: .flag, isHidden: isHidden)
    }

    /// An option taking one value, such as `--server URL`.
    static func value(
        _ long: String, short: Character? = nil, valueName: String, help: String, defaultValue: String? = nil,
        allowedValues: [String] = [], environmentVariable: String? = nil, isHidden: Bool = false
    ) -> OptionSpec {
        OptionSpec(
            long: long, short: short, valueName: valueName, help: help, kind: .value, defaultValue: defaultValue,
            allowedValues: allowedValues, environmentVariable: environmentVariable, isHidden: isHidden)
    }

    /// An option that may be given many times, such as `--label gpu --label cuda`.
    static func repeatable(
        _ long: String, short: Character? = nil, valueName: String, help: String, allowedValues: [String] = [],
        isHidden: Bool = false
    ) -> OptionSpec {
        OptionSpec(
            long: long, short: short, valueName: valueName, help: help, kind: .repeatable, allowedValues: allowedValues,
            isHidden: isHidden)
    }

    var takesValue: Bool { kind != .flag }

    /// `--server`.
    var longName: String { "--" + long }

    /// `-o`, when there is a short name.
    var shortName: String? { short.map { "-" + String($0) } }

    /// How help lists the option: `-o, --output <format>`.
    var synopsis: String {
        var text = shortName.map { $0 + ", " } ?? ""
        text += longName
        if takesValue { text += " <\(valueName)>" }
        return text
    }

    /// The facts help appends to the description: allowed values, default, environment variable, repetition.
    var details: [String] {
        var parts: [String] = []
        if !allowedValues.isEmpty { parts.append("values: " + allowedValues.joined(separator: ", ")) }
        if let defaultValue { parts.append("default: " + defaultValue) }
        if let environmentVariable { parts.append("env: " + environmentVariable) }
        if kind == .repeatable { parts.append("repeatable") }
        return parts
    }

    /// The help text with ``details`` appended in parentheses.
    var helpWithDetails: String {
        let details = details
        return details.isEmpty ? help : help + " (" + details.joined(separator: "; ") + ")"
    }
}

extension OptionSpec {
    /// Asks for the command's help instead of running it; the runner and parser look for it by this name.
    static let help = OptionSpec.flag("help", short: "h", help: "Show help for the command")

    /// Asks for the program's version instead of running the command.
    static let version = OptionSpec.flag("version", help: "Show the version of autogit")
}
