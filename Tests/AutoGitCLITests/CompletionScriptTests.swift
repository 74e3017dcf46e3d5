import Foundation
import Testing

@testable import autogit

@Suite("Shell completion scripts")
struct CompletionScriptTests {
    private let script = CompletionScript(root: AutoGitCommands.root)

    @Test("every script mentions every visible command and option, and no hidden command", arguments: CompletionScript.Shell.allCases)
    func mentionsTheTree(shell: CompletionScript.Shell) {
        let text = script.render(for: shell)
        for path in AutoGitCommands.root.descendants() {
            let name = path[path.count - 1].name
            let mentioned = text.contains(name)
            #expect(mentioned, "\(shell) script names \(path.commandName)")
        }
        for option in ["status", "gpu-type", "server", "no-color", "step"] {
            let mentioned = text.contains(option)
            #expect(mentioned, "\(shell) script names --\(option)")
        }
        let offersFormats = text.contains("table wide json") || text.contains("'table' 'wide' 'json'")
        #expect(offersFormats)
        let mentionsHidden = text.contains("docs-markdown")
        #expect(!mentionsHidden)
    }

    @Test("'autogit completion <shell>' prints the script, and an unknown shell is a usage error")
    func command() async {
        let bash = await runAutoGit(["completion", "bash"])
        #expect(bash.status == 0)
        #expect(bash.output == script.render(for: .bash))
        let unknown = await runAutoGit(["completion", "tcsh"])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("invalid value 'tcsh' for '<shell>': expected one of bash, zsh, fish"))
    }

    @Test("the bash script completes subcommands, aliases, options and option values", .enabled(if: ShellProcess.exists("/bin/bash")))
    func bashCompletes() async throws {
        let file = try temporaryFile(script.render(for: .bash))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let probe = """
            source \(file)
            comp() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _autogit; echo "${COMPREPLY[*]}"; }
            comp autogit runners l
            comp autogit runners ls --st
            comp autogit runners list --status ''
            comp autogit -o ''
            comp autogit --output = ''
            comp autogit completion ''
            """
        let result = try await ShellProcess.run("/bin/bash", ["-c", probe])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 6)
        #expect(lines[0] == "list logs")
        #expect(lines[1] == "--status")
        #expect(lines[2].hasPrefix("provisioning starting active idle"))
        #expect(lines[3] == "table wide json")
        #expect(lines[4] == "table wide json")
        #expect(lines[5] == "bash zsh fish")
    }

    @Test("the zsh script parses and offers described subcommands", .enabled(if: ShellProcess.exists("/usr/bin/zsh")))
    func zshCompletes() async throws {
        let file = try temporaryFile(script.render(for: .zsh))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let probe = """
            compdef() {}
            source \(file)
            _describe() { print -r -- "${(j: :)reply}" }
            compadd() { print -r -- "${(j: :)reply}" }
            _files() { print files }
            t() { words=("$@"); CURRENT=$#words; _autogit }
            t autogit jobs s
            t autogit runners list --status ''
            t autogit jobs submit -f ''
            """
        let result = try await ShellProcess.run("/usr/bin/zsh", ["-f", "-c", probe])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("submit:Submit a job list:List jobs") == true)
        #expect(lines.dropFirst().first?.hasPrefix("provisioning starting") == true)
        #expect(lines.last == "files")
    }

    @Test("the fish script completes subcommands and option values", .enabled(if: ShellProcess.exists("/usr/bin/fish")))
    func fishCompletes() async throws {
        let file = try temporaryFile(script.render(for: .fish))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let probe = """
            source \(file)
            complete -C 'autogit runners l'
            echo ---
            complete -C 'autogit -o '
            """
        let result = try await ShellProcess.run("/usr/bin/fish", ["--no-config", "-c", probe])
        #expect(result.status == 0, "\(result.error)")
        let parts = result.output.components(separatedBy: "---\n")
        #expect(parts.count == 2)
        #expect(parts.first?.contains("list\tList runners") == true)
        #expect(parts.first?.contains("logs\tShow a runner agent's log") == true)
        #expect(parts.last?.split(separator: "\n").map { $0.split(separator: "\t")[0] }.sorted() == ["json", "table", "wide"])
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("autogit-completion-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
