/// An error the CLI reports to the user: a stable `code` for tests and scripts, one clear message, and the exit
/// status it ends the process with.
///
/// Every error a command throws is turned into one of these by ``CLIError/init(_:server:)``, the single place where
/// failures map to exit codes.
struct CLIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of error. Open, so a new kind is not a breaking change.
    struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        let rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }
        init(_ rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        static let unknownOption = Code("unknown_option")
        static let unknownCommand = Code("unknown_command")
        static let missingValue = Code("missing_value")
        static let unexpectedValue = Code("unexpected_value")
        static let invalidValue = Code("invalid_value")
        static let missingArgument = Code("missing_argument")
        static let unexpectedArgument = Code("unexpected_argument")
        static let invalidInput = Code("invalid_input")
        static let notImplemented = Code("not_implemented")
        static let notFound = Code("not_found")
        static let unauthorized = Code("unauthorized")
        static let conflict = Code("conflict")
        static let serverUnreachable = Code("server_unreachable")
        static let failure = Code("failure")
    }

    var code: Code
    var message: String
    var exitCode: ExitCode
    /// A follow-up shown after the message, such as "did you mean '--status'?".
    var hint: String?
    /// The command whose usage a usage error shows (names from the root down); filled by the parser, or by the
    /// runner for usage errors a command throws.
    var commandPath: [String]?

    init(_ code: Code, _ message: String, exitCode: ExitCode, hint: String? = nil, commandPath: [String]? = nil) {
        self.code = code
        self.message = message
        self.exitCode = exitCode
        self.hint = hint
        self.commandPath = commandPath
    }

    var isUsageError: Bool { exitCode == .usage }

    var description: String { hint.map { "\(message) (\($0))" } ?? message }
}

extension CLIError {
    /// A usage error: something on the command line is wrong; exit status 2.
    static func usage(_ message: String, code: Code = .invalidInput, hint: String? = nil) -> CLIError {
        CLIError(code, message, exitCode: .usage, hint: hint)
    }

    static func unknownOption(_ spelling: String, suggestion: String?) -> CLIError {
        .usage("unknown option '\(spelling)'", code: .unknownOption, hint: suggestion.map { "did you mean '\($0)'?" })
    }

    static func unknownCommand(_ word: String, in commandName: String, suggestion: String?) -> CLIError {
        .usage(
            "unknown command '\(word)' for '\(commandName)'", code: .unknownCommand,
            hint: suggestion.map { "did you mean '\($0)'?" })
    }

    static func missingValue(for option: String) -> CLIError {
        .usage("option '\(option)' needs a value", code: .missingValue)
    }

    static func unexpectedValue(for option: String) -> CLIError {
        .usage("option '\(option)' takes no value", code: .unexpectedValue)
    }

    /// A value outside what the option or argument accepts; `expected` says what it accepts.
    static func invalidValue(_ value: String, for name: String, expected: String) -> CLIError {
        .usage("invalid value '\(value)' for '\(name)': expected \(expected)", code: .invalidValue)
    }

    static func missingArgument(_ argument: ArgumentSpec) -> CLIError {
        .usage("missing argument <\(argument.name)>", code: .missingArgument)
    }

    static func unexpectedArgument(_ word: String) -> CLIError {
        .usage("unexpected argument '\(word)'", code: .unexpectedArgument)
    }

    /// For commands whose backing code does not exist yet: they say so and exit 1 rather than fake output.
    static func notImplemented(_ command: String, needs: String) -> CLIError {
        CLIError(.notImplemented, "not implemented yet: \(command) (needs \(needs))", exitCode: .failure)
    }

    /// A plain failure, exit status 1.
    static func failure(_ message: String) -> CLIError {
        CLIError(.failure, message, exitCode: .failure)
    }
}
