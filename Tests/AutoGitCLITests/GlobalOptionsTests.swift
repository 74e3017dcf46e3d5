import Testing

@testable import autogit

@Suite("Global options")
struct GlobalOptionsTests {
    private func globalOptions(_ words: [String], environment: [String: String] = [:]) throws -> GlobalOptions {
        GlobalOptions(try CommandParser(root: AutoGitCommands.root).parse(words + ["jobs", "list"], environment: environment).arguments)
    }

    @Test("defaults: the local server, no token, a table")
    func defaults() throws {
        let options = try globalOptions([])
        #expect(options == GlobalOptions())
        #expect(options.server == "http://127.0.0.1:8080")
    }

    @Test("AUTOGIT_SERVER and AUTOGIT_TOKEN apply unless the flags are given")
    func environment() throws {
        let environment = ["AUTOGIT_SERVER": "https://lab.example.com", "AUTOGIT_TOKEN": "secret"]
        let fromEnvironment = try globalOptions([], environment: environment)
        #expect(fromEnvironment.server == "https://lab.example.com")
        #expect(fromEnvironment.token == "secret")
        let fromFlags = try globalOptions(["--server", "http://other:9000", "--token", "flag"], environment: environment)
        #expect(fromFlags.server == "http://other:9000")
        #expect(fromFlags.token == "flag")
    }

    @Test("output, quiet, colour and verbosity flags are read")
    func flags() throws {
        let options = try globalOptions(["-qv", "-o", "wide", "--no-color"])
        #expect(options == GlobalOptions(output: .wide, isQuiet: true, isColorDisabled: true, isVerbose: true))
    }

    @Test("the server must be an http or https URL with a host")
    func serverURL() throws {
        #expect(try ServerConnection(server: "https://lab.example.com:8443").serverURL().port == 8443)
        for bad in ["lab.example.com", "ftp://lab", "http://", ""] {
            #expect(throws: CLIError.self, "\(bad)") { try ServerConnection(server: bad).serverURL() }
        }
    }
}
