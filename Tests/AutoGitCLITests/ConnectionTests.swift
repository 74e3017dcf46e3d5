import AutoGitClient
import AutoGitCore
import Foundation
import Testing

@testable import autogit

@Suite("Server connections and contexts")
struct ConnectionTests {
    /// A fresh XDG_CONFIG_HOME for one test.
    private static func configHome() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autogit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private static func settings(_ home: String) throws -> ConnectionSettings {
        try ConnectionSettings.load(from: ConnectionSettings.fileURL(environment: ["XDG_CONFIG_HOME": home]))
    }

    @Test("the settings file lives under XDG_CONFIG_HOME, else ~/.config")
    func fileLocation() {
        #expect(ConnectionSettings.fileURL(environment: ["XDG_CONFIG_HOME": "/x"]).path == "/x/autogit/config.json")
        #expect(ConnectionSettings.fileURL(environment: ["HOME": "/home/a"]).path == "/home/a/.config/autogit/config.json")
        #expect(
            ConnectionSettings.fileURL(environment: ["HOME": "/home/a", "XDG_CONFIG_HOME": "relative"]).path
                == "/home/a/.config/autogit/config.json")
    }

    @Test("flags and environment beat the current context; a saved token never goes to another server")
    func resolution() {
        let settings = ConnectionSettings(currentContext: "lab", contexts: ["lab": .init(server: "https://lab:8080", token: "lab-token")])
        let fromContext = ServerConnection(options: GlobalOptions(), settings: settings)
        #expect(fromContext == ServerConnection(server: "https://lab:8080", token: "lab-token", contextName: "lab"))
        let tokenFlag = ServerConnection(options: GlobalOptions(token: "flag"), settings: settings)
        #expect(tokenFlag.token == "flag" && tokenFlag.server == "https://lab:8080")
        let otherServer = ServerConnection(options: GlobalOptions(server: "http://other:1", isServerExplicit: true), settings: settings)
        #expect(otherServer == ServerConnection(server: "http://other:1"))
        let sameServer = ServerConnection(options: GlobalOptions(server: "https://LAB:8080/", isServerExplicit: true), settings: settings)
        #expect(sameServer.token == "lab-token")
        let nothingSaved = ServerConnection(options: GlobalOptions(), settings: ConnectionSettings())
        #expect(nothingSaved == ServerConnection(server: GlobalOptions.defaultServer))
    }

    @Test("an http server is spoken to over sockets, an https server over URLSession; AUTOGIT_TRANSPORT=urlsession forces it")
    func transportChoice() {
        let plain = URL(string: "http://127.0.0.1:8080")!
        let secure = URL(string: "https://lab.example.com")!
        #expect(ServerConnection.transport(for: plain, environment: [:]) is SocketTransport)
        #expect(ServerConnection.transport(for: URL(string: "HTTP://[::1]:9")!, environment: [:]) is SocketTransport)
        #expect(ServerConnection.transport(for: secure, environment: [:]) is URLSessionTransport)
        #expect(ServerConnection.transport(for: plain, environment: ["AUTOGIT_TRANSPORT": "urlsession"]) is URLSessionTransport)
        #expect(ServerConnection.transport(for: plain, environment: ["AUTOGIT_TRANSPORT": "URLSession"]) is URLSessionTransport)
        #expect(ServerConnection.transport(for: plain, environment: ["AUTOGIT_TRANSPORT": "sockets"]) is SocketTransport)
    }

    @Test("context add, use, list and remove keep the file current, private and readable as JSON")
    func contextLifecycle() async throws {
        let home = try Self.configHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = ["XDG_CONFIG_HOME": home]
        let add = await runAutoGit(["context", "add", "lab", "--server", "https://lab:8080", "--token", "t1"], environment: environment)
        #expect(add.status == 0)
        #expect(add.output == "Saved context lab for https://lab:8080 (current).\n")
        #expect(await runAutoGit(["context", "add", "local", "--server", "http://127.0.0.1:9"], environment: environment).status == 0)
        let path = ConnectionSettings.fileURL(environment: environment).path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try Self.settings(home).currentContext == "lab")

        #expect(await runAutoGit(["context", "use", "local"], environment: environment).output == "Switched to context local.\n")
        #expect(try Self.settings(home).currentContext == "local")
        let table = await runAutoGit(["context", "list"], environment: environment)
        #expect(table.output.contains("*        local  http://127.0.0.1:9  -"))
        #expect(table.output.contains("lab    https://lab:8080    saved"))
        let json = await runAutoGit(["context", "list", "-o", "json"], environment: environment)
        #expect(json.output.contains("\"has_token\" : true"))
        #expect(!json.output.contains("t1"))

        #expect(await runAutoGit(["context", "remove", "local"], environment: environment).status == 0)
        #expect(try Self.settings(home).currentContext == nil)
        #expect(try Self.settings(home).contexts.keys.sorted() == ["lab"])
    }

    @Test("an unknown context is exit 3 and lists the known ones; add needs --server")
    func contextErrors() async throws {
        let home = try Self.configHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = ["XDG_CONFIG_HOME": home]
        _ = await runAutoGit(["context", "add", "lab", "--server", "https://lab:8080"], environment: environment)
        let unknown = await runAutoGit(["context", "use", "nope"], environment: environment)
        #expect(unknown.status == 3)
        #expect(unknown.error == "error: no context named 'nope' (known: lab)\n")
        let missingServer = await runAutoGit(["context", "add", "x"], environment: environment)
        #expect(missingServer.status == 2)
        #expect(missingServer.error.hasPrefix("error: missing option '--server'"))
    }

    @Test("logout removes the current context's token and keeps the context")
    func logout() async throws {
        let home = try Self.configHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let environment = ["XDG_CONFIG_HOME": home]
        _ = await runAutoGit(["context", "add", "lab", "--server", "https://lab:8080", "--token", "t1"], environment: environment)
        let result = await runAutoGit(["logout"], environment: environment)
        #expect(result.output == "Logged out: removed the token of context lab.\n")
        #expect(try Self.settings(home).contexts["lab"] == .init(server: "https://lab:8080", token: nil))
        #expect(await runAutoGit(["logout"], environment: environment).output.hasPrefix("No token is saved"))
    }

    @Test("login picks the context saved for the server, else default, else one named after the host")
    func loginContextName() {
        var settings = ConnectionSettings()
        #expect(LoginCommand.contextName(for: "http://a:1", in: settings) == "default")
        settings.contexts["default"] = .init(server: "http://a:1")
        settings.contexts["b"] = .init(server: "http://b:2")
        #expect(LoginCommand.contextName(for: "http://b:2/", in: settings) == "b")
        #expect(LoginCommand.contextName(for: "http://c:3", in: settings) == "c:3")
        settings.contexts["c:3"] = .init(server: "http://elsewhere")
        #expect(LoginCommand.contextName(for: "http://c:3", in: settings) == "c:3-2")
    }
}

@Suite("Configuration keys, sparklines and job outcomes")
struct CommandHelperTests {
    @Test("dotted keys read, set and flatten the configuration document")
    func configurationKeys() {
        let document: JSONValue = .object(["rate_limits": .object(["enabled": .bool(true), "per_minute": .number(100)])])
        #expect(ConfigurationKey.value(at: "rate_limits.enabled", in: document) == .bool(true))
        #expect(ConfigurationKey.value(at: "rate_limits.nope", in: document) == nil)
        let patch = ConfigurationKey.setting("a.b.c", to: .number(5), in: .object([:]))
        #expect(patch == .object(["a": .object(["b": .object(["c": .number(5)])])]))
        #expect(ConfigurationKey.flatten(document).map(\.key) == ["rate_limits.enabled", "rate_limits.per_minute"])
        #expect(ConfigurationKey.flatten(document).map(\.value) == ["true", "100"])
        #expect(ConfigurationKey.parseValue("5") == .number(5))
        #expect(ConfigurationKey.parseValue("false") == .bool(false))
        #expect(ConfigurationKey.parseValue("plain text") == .string("plain text"))
        #expect(ConfigurationKey.parseValue("[\"a\"]") == .array([.string("a")]))
    }

    @Test("sparklines scale to the range, fit the width and keep the shape")
    func sparklines() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 10) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([3, 3, 3], width: 10) == "▁▁▁")
        #expect(Sparkline.render([], width: 10) == "")
        let long = Sparkline.render((0..<1000).map { Double($0 % 100) }, width: 20)
        #expect(long.count == 20)
        #expect(Sparkline.render([1, .nan, 2], width: 5) == "▁█")
    }
}

@Suite("jobs submit --wait exit statuses")
struct JobOutcomeTests {
    private func job(_ status: JobStatus, exitCode: Int32? = nil, steps: [StepResult] = []) -> Job {
        var job = Job(id: "j-1", spec: JobSpec(name: "x", steps: [JobStep(name: "s", run: "true")]), status: status, createdAt: Date())
        job.exitCode = exitCode
        job.stepResults = steps
        return job
    }

    @Test("success is 0, a failure carries the step's code, a timeout is 124, anything else 1")
    func exitStatuses() {
        #expect(JobWaiter.exitStatus(of: job(.succeeded)) == 0)
        #expect(JobWaiter.exitStatus(of: job(.failed, exitCode: 3)) == 3)
        #expect(JobWaiter.exitStatus(of: job(.failed, steps: [StepResult(name: "s", status: .failed, exitCode: 7)])) == 7)
        #expect(JobWaiter.exitStatus(of: job(.failed)) == 1)
        #expect(JobWaiter.exitStatus(of: job(.timedOut, exitCode: 143)) == 124)
        #expect(JobWaiter.exitStatus(of: job(.cancelled)) == 1)
        #expect(JobWaiter.exitStatus(of: job(.failed, exitCode: -9)) == 1)
    }
}

@Suite("Braille charts")
struct BrailleChartTests {
    @Test("a rising line fills the corners and is labelled with its range")
    func risingLine() {
        let text = BrailleChart(width: 10, height: 3).render([(0, 0), (10, 1)])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("1 ┤"))
        #expect(lines[2].hasPrefix("0 ┤"))
        #expect(lines[3].hasPrefix("   0"))
        #expect(lines[3].hasSuffix("10"))
        // Bottom-left and top-right cells hold dots; the top-left cell is empty.
        let top = Array(lines[0].dropFirst(3))
        let bottom = Array(lines[2].dropFirst(3))
        #expect(top.first == "⠀")
        #expect(top.last != "⠀")
        #expect(bottom.first != "⠀")
    }

    @Test("a spike between samples stays visible and nothing is drawn for no points")
    func spike() {
        let text = BrailleChart(width: 20, height: 4).render([(0, 1), (1, 1), (2, 100), (3, 1), (4, 1)])
        #expect(text.split(separator: "\n").first?.hasPrefix("100 ┤") == true)
        let topRow = text.split(separator: "\n")[0].dropFirst(5)
        #expect(topRow.contains { $0 != "⠀" })
        #expect(BrailleChart().render([]) == "")
        #expect(BrailleChart.label(0.123456) == "0.1235")
        #expect(BrailleChart.label(2.5) == "2.5")
    }
}
