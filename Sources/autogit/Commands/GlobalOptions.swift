import Foundation

/// The options every command inherits from `autogit`: where the server is, how to authenticate, and how to print.
struct GlobalOptions: Sendable, Hashable {
    static let defaultServer = "http://127.0.0.1:8080"

    static let server = OptionSpec.value(
        "server", valueName: "url", help: "URL of the AutoGit server", defaultValue: defaultServer,
        environmentVariable: "AUTOGIT_SERVER")
    static let token = OptionSpec.value(
        "token", valueName: "token", help: "API token sent as a bearer token", environmentVariable: "AUTOGIT_TOKEN")
    static let output = OptionSpec.value(
        "output", short: "o", valueName: "format", help: "Output format", defaultValue: OutputFormat.table.rawValue,
        allowedValues: OutputFormat.names)
    static let quiet = OptionSpec.flag("quiet", short: "q", help: "Print only ids, one per line")
    static let noColor = OptionSpec.flag("no-color", help: "Never colour output (colour is also off when NO_COLOR is set)")
    static let verbose = OptionSpec.flag("verbose", short: "v", help: "Print requests and timings to standard error")

    /// The declarations, in the order help lists them.
    static let specs: [OptionSpec] = [server, token, output, quiet, noColor, verbose, .help, .version]

    var server: String
    /// Whether `server` came from `--server` or `AUTOGIT_SERVER` rather than the default, so it beats a saved
    /// context.
    var isServerExplicit: Bool
    var token: String?
    var output: OutputFormat
    var isQuiet: Bool
    var isColorDisabled: Bool
    var isVerbose: Bool

    init(
        server: String = defaultServer, isServerExplicit: Bool = false, token: String? = nil, output: OutputFormat = .table,
        isQuiet: Bool = false,
        isColorDisabled: Bool = false, isVerbose: Bool = false
    ) {
        self.server = server
        self.isServerExplicit = isServerExplicit
        self.token = token
        self.output = output
        self.isQuiet = isQuiet
        self.isColorDisabled = isColorDisabled
        self.isVerbose = isVerbose
    }

    /// Reads the global options from a parse (which has already filled defaults and checked `--output`).
    init(_ arguments: ParsedArguments) {
        self.init(
            server: arguments.value(Self.server.long) ?? Self.defaultServer,
            isServerExplicit: arguments.isExplicit(Self.server.long), token: arguments.value(Self.token.long),
            output: arguments.value(Self.output.long).flatMap(OutputFormat.init(rawValue:)) ?? .table,
            isQuiet: arguments.isSet(Self.quiet.long), isColorDisabled: arguments.isSet(Self.noColor.long),
            isVerbose: arguments.isSet(Self.verbose.long))
    }
}
