import Testing

@testable import autogit

@Suite("Help generated from the declarations")
struct HelpTests {
    @Test("a nested command's help shows its usage, its options with defaults, and the global options with env vars")
    func nestedCommandHelp() async {
        let result = await runAutoGit(["runners", "config", "set", "--help"])
        #expect(result.status == 0)
        #expect(result.error.isEmpty)
        let help = result.output
        // Descriptions wrap to the terminal, so compare with runs of spaces and newlines collapsed.
        let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.hasPrefix("Change a runner's configuration\n"))
        #expect(help.contains("Usage: autogit runners config set <id> [options]"))
        #expect(help.contains("Arguments:\n  <id>"))
        #expect(help.contains("--cleanup <policy>"))
        #expect(flat.contains("values: always, on_success, never"))
        #expect(help.contains("Global options:"))
        #expect(flat.contains("(default: http://127.0.0.1:8080; env: AUTOGIT_SERVER)"))
        #expect(flat.contains("(env: AUTOGIT_TOKEN)"))
    }

    @Test("help lists examples and marks repeatable options")
    func examplesAndRepeatable() async {
        let help = await runAutoGit(["jobs", "submit", "--help"]).output
        #expect(help.contains("Usage: autogit jobs submit [options] [-- <command>...]"))
        #expect(help.contains("--step <name=command>"))
        #expect(help.contains("(repeatable)"))
        #expect(help.contains("Examples:\n  # One step on one A100\n  autogit jobs submit --gpus 1"))
        #expect(help.contains("-- <command>..."))
    }

    @Test("'autogit help <command…>' prints the same text as '<command…> --help'")
    func helpCommandMatchesFlag() async {
        let viaCommand = await runAutoGit(["help", "runners", "list"])
        let viaFlag = await runAutoGit(["runners", "list", "--help"])
        let viaShortFlag = await runAutoGit(["runners", "list", "-h"])
        #expect(viaCommand.status == 0)
        #expect(viaCommand.output == viaFlag.output)
        #expect(viaShortFlag.output == viaFlag.output)
    }

    @Test("the root help lists the visible commands and not the hidden ones")
    func rootHelp() async {
        let help = await runAutoGit(["--help"]).output
        #expect(help.contains("Usage: autogit <command> [options]"))
        for name in [
            "runners", "gpus", "jobs", "config", "tokens", "login", "logout", "system", "events", "webhooks", "providers", "completion",
            "help", "version", "serve", "runner",
        ] {
            #expect(help.contains("\n  \(name) "), "root help lists \(name)")
        }
        #expect(!help.contains("docs-markdown"))
        #expect(help.contains("Run 'autogit <command> --help' for more about a command."))
    }

    @Test("a group run without a subcommand shows its help and succeeds")
    func groupShowsHelp() async {
        let result = await runAutoGit(["runners"])
        #expect(result.status == 0)
        #expect(result.output.contains("Commands:\n  list "))
        #expect(result.output.contains("Usage: autogit runners <command> [options]"))
    }

    @Test("'autogit help' with an unknown command is a usage error with a suggestion")
    func helpUnknownCommand() async {
        let result = await runAutoGit(["help", "runers"])
        #expect(result.status == 2)
        #expect(result.error.contains("unknown command 'runers' for 'autogit' (did you mean 'runners'?)"))
    }

    @Test("help text wraps to the terminal width")
    func wrapsToWidth() async {
        let help = await runAutoGit(["jobs", "submit", "--help"], width: 60).output
        for line in help.split(separator: "\n") where !line.hasPrefix("  autogit") && !line.hasPrefix("  -") {
            #expect(line.count <= 60, "\(line)")
        }
    }

    @Test("usage lines show arguments, optional and variadic ones bracketed")
    func usageLines() throws {
        let formatter = HelpFormatter()
        let root = AutoGitCommands.root
        #expect(formatter.usage(for: try #require(root.path(to: ["runners", "get"]))) == "autogit runners get <id> [options]")
        #expect(formatter.usage(for: try #require(root.path(to: ["jobs", "cancel"]))) == "autogit jobs cancel <id>... [options]")
        #expect(formatter.usage(for: try #require(root.path(to: ["help"]))) == "autogit help [<command>...] [options]")
    }
}
