import Testing

@testable import autogit

/// A small tree with the shapes the parser must handle: global options, a group, a leaf with positionals, a
/// variadic leaf and a passthrough.
private let root = CommandSpec(
    "tool", abstract: "A test tool",
    options: [
        .value("server", valueName: "url", help: "Server", defaultValue: "http://default", environmentVariable: "TOOL_SERVER"),
        .value("output", short: "o", valueName: "format", help: "Format", defaultValue: "table", allowedValues: ["table", "json"]),
        .flag("quiet", short: "q", help: "Quiet"),
        .flag("verbose", short: "v", help: "Verbose"),
        .flag("debug", help: "Debug", isHidden: true),
        .help, .version,
    ],
    subcommands: [
        CommandSpec(
            "runners", abstract: "Runners",
            subcommands: [
                CommandSpec(
                    "list", abstract: "List", aliases: ["ls"],
                    options: [
                        .value("status", valueName: "status", help: "Status", allowedValues: ["idle", "busy"]),
                        .repeatable("label", short: "l", valueName: "label", help: "Label"),
                        .value("limit", valueName: "n", help: "Limit"),
                    ],
                    run: { _, _ in 0 }),
                CommandSpec(
                    "get", abstract: "Get",
                    arguments: [ArgumentSpec("id", help: "Id"), ArgumentSpec("field", help: "Field", isOptional: true)],
                    run: { _, _ in 0 }),
                CommandSpec(
                    "delete", abstract: "Delete", arguments: [ArgumentSpec("id", help: "Ids", isVariadic: true)], run: { _, _ in 0 }),
            ]),
        CommandSpec(
            "submit", abstract: "Submit", passthrough: ArgumentSpec("command", help: "Command"),
            options: [.value("priority", valueName: "n", help: "Priority"), .flag("wait", short: "w", help: "Wait")],
            run: { _, _ in 0 }),
    ])

private func parse(_ words: [String], environment: [String: String] = [:]) throws(CLIError) -> Invocation {
    try CommandParser(root: root).parse(words, environment: environment)
}

private func parseError(_ words: [String]) -> CLIError? {
    do {
        _ = try parse(words)
        return nil
    } catch {
        return error
    }
}

@Suite("Parsing command lines")
struct CommandParserTests {
    @Test("an option's value may follow it as the next word or after an equals sign")
    func longOptionValues() throws {
        let spaced = try parse(["runners", "list", "--status", "idle"])
        let joined = try parse(["runners", "list", "--status=busy"])
        #expect(spaced.commandName == "tool runners list")
        #expect(spaced.arguments.value("status") == "idle")
        #expect(joined.arguments.value("status") == "busy")
    }

    @Test("short options take their value from the next word or the rest of the word")
    func shortOptionValues() throws {
        #expect(try parse(["-o", "json"]).arguments.value("output") == "json")
        #expect(try parse(["-ojson"]).arguments.value("output") == "json")
        #expect(try parse(["-o=json"]).arguments.value("output") == "json")
    }

    @Test("bundled short flags each switch on, and a bundle may end with an option taking a value")
    func bundledFlags() throws {
        let bundled = try parse(["-qv"])
        #expect(bundled.arguments.isSet("quiet"))
        #expect(bundled.arguments.isSet("verbose"))
        let withValue = try parse(["-qo", "json"])
        #expect(withValue.arguments.isSet("quiet"))
        #expect(withValue.arguments.value("output") == "json")
    }

    @Test("a repeatable option keeps every value in order; a single-value option keeps the last")
    func repeatedOptions() throws {
        let parsed = try parse(["runners", "list", "-l", "gpu", "--label", "cuda", "--label=a100", "--status", "idle", "--status", "busy"])
        #expect(parsed.arguments.values("label") == ["gpu", "cuda", "a100"])
        #expect(parsed.arguments.value("status") == "busy")
    }

    @Test("global options work before and after the subcommand")
    func globalOptionsAnywhere() throws {
        #expect(try parse(["-o", "json", "runners", "list"]).arguments.value("output") == "json")
        #expect(try parse(["runners", "list", "-o", "json"]).arguments.value("output") == "json")
        #expect(try parse(["runners", "-q", "list"]).arguments.isSet("quiet"))
    }

    @Test("an option not given falls back to its environment variable, then its default")
    func environmentAndDefaults() throws {
        let fromDefault = try parse(["runners", "list"])
        #expect(fromDefault.arguments.value("server") == "http://default")
        #expect(fromDefault.arguments.source(of: "server") == .defaultValue)
        #expect(!fromDefault.arguments.isExplicit("server"))

        let fromEnvironment = try parse(["runners", "list"], environment: ["TOOL_SERVER": "http://env"])
        #expect(fromEnvironment.arguments.value("server") == "http://env")
        #expect(fromEnvironment.arguments.source(of: "server") == .environment("TOOL_SERVER"))

        let fromFlag = try parse(["--server", "http://flag"], environment: ["TOOL_SERVER": "http://env"])
        #expect(fromFlag.arguments.value("server") == "http://flag")
        #expect(fromFlag.arguments.source(of: "server") == .commandLine)
    }

    @Test("aliases reach the same command")
    func aliases() throws {
        #expect(try parse(["runners", "ls"]).command.name == "list")
    }

    @Test("positionals fill required, then optional, then variadic arguments")
    func positionals() throws {
        let one = try parse(["runners", "get", "r1"])
        #expect(one.arguments.argument("id") == "r1")
        #expect(one.arguments.argument("field") == nil)
        let two = try parse(["runners", "get", "r1", "status"])
        #expect(two.arguments.argument("field") == "status")
        let many = try parse(["runners", "delete", "r1", "r2", "r3"])
        #expect(many.arguments.arguments("id") == ["r1", "r2", "r3"])
    }

    @Test("words after -- are handed on untouched to a command with a passthrough")
    func passthrough() throws {
        let parsed = try parse(["submit", "--priority", "-5", "--", "python", "train.py", "--lr", "0.1", "-q"])
        #expect(parsed.arguments.passthrough == ["python", "train.py", "--lr", "0.1", "-q"])
        #expect(parsed.arguments.value("priority") == "-5")
        #expect(!parsed.arguments.isSet("quiet"))
    }

    @Test("-- ends option parsing for a command without a passthrough")
    func doubleDashEndsOptions() throws {
        let parsed = try parse(["runners", "get", "--", "-weird-id"])
        #expect(parsed.arguments.argument("id") == "-weird-id")
    }

    @Test("a negative number is an option's value, not an option")
    func negativeNumbers() throws {
        #expect(try parse(["submit", "--priority", "-10"]).arguments.value("priority") == "-10")
    }

    @Test("an unknown option is a usage error that names it and suggests the closest declared one")
    func unknownOptionSuggestion() {
        let error = parseError(["runners", "list", "--stauts", "idle"])
        #expect(error?.code == .unknownOption)
        #expect(error?.message == "unknown option '--stauts'")
        #expect(error?.hint == "did you mean '--status'?")
        #expect(error?.exitCode == .usage)
        #expect(error?.commandPath == ["runners", "list"])
    }

    @Test("an option of another command is unknown here, and hidden options are never suggested")
    func optionsAreScoped() {
        #expect(parseError(["runners", "get", "r1", "--status", "idle"])?.code == .unknownOption)
        #expect(parseError(["--debg"])?.hint == nil)
    }

    @Test("an unknown short option is a usage error naming it")
    func unknownShortOption() {
        let error = parseError(["-x"])
        #expect(error?.code == .unknownOption)
        #expect(error?.message == "unknown option '-x'")
    }

    @Test("an option without its value is a usage error")
    func missingValue() {
        #expect(parseError(["runners", "list", "--status"])?.message == "option '--status' needs a value")
        #expect(parseError(["runners", "list", "--status", "--label", "x"])?.code == .missingValue)
        #expect(parseError(["-o"])?.message == "option '-o' needs a value")
    }

    @Test("a flag given a value is a usage error")
    func flagWithValue() {
        #expect(parseError(["--quiet=yes"])?.code == .unexpectedValue)
    }

    @Test("a value outside the allowed ones is a usage error listing them")
    func invalidChoice() {
        let error = parseError(["-o", "xml"])
        #expect(error?.code == .invalidValue)
        #expect(error?.message == "invalid value 'xml' for '-o': expected one of table, json")
    }

    @Test("an invalid value in an environment variable names the variable")
    func invalidEnvironmentChoice() {
        let root = CommandSpec(
            "tool", abstract: "", options: [.value("output", valueName: "f", help: "", allowedValues: ["a"], environmentVariable: "OUT")],
            run: { _, _ in 0 })
        #expect(throws: CLIError.self) { try CommandParser(root: root).parse([], environment: ["OUT": "b"]) }
    }

    @Test("a missing required positional is a usage error naming it")
    func missingPositional() {
        let error = parseError(["runners", "get"])
        #expect(error?.code == .missingArgument)
        #expect(error?.message == "missing argument <id>")
        #expect(parseError(["runners", "delete"])?.code == .missingArgument)
    }

    @Test("too many positionals is a usage error naming the first extra one")
    func tooManyPositionals() {
        let error = parseError(["runners", "get", "r1", "status", "extra"])
        #expect(error?.code == .unexpectedArgument)
        #expect(error?.message == "unexpected argument 'extra'")
    }

    @Test("an unknown subcommand is a usage error with a suggestion")
    func unknownSubcommand() {
        let error = parseError(["runners", "lst"])
        #expect(error?.code == .unknownCommand)
        #expect(error?.message == "unknown command 'lst' for 'tool runners'")
        #expect(error?.hint == "did you mean 'list'?")
        #expect(error?.commandPath == ["runners"])
    }

    @Test("--help skips the checks of positionals, so help works on an incomplete command line")
    func helpSkipsPositionals() throws {
        let parsed = try parse(["runners", "get", "--help"])
        #expect(parsed.arguments.isSet("help"))
        #expect(parsed.command.name == "get")
    }

    @Test("typed accessors turn bad numbers and durations into usage errors naming the option")
    func typedAccessors() throws {
        let parsed = try parse(["runners", "list", "--limit", "ten"])
        #expect(throws: CLIError.invalidValue("ten", for: "--limit", expected: "an integer")) { try parsed.arguments.integer("limit") }
        let good = try parse(["runners", "list", "--limit", "10"])
        #expect(try good.arguments.integer("limit") == 10)
    }
}
