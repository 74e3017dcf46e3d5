import Foundation
import Testing

@testable import autogit

@Suite("The command reference and the declarations")
struct ReferenceTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("Docs/cli.md is what 'autogit docs-markdown' prints (regenerate it with: autogit docs-markdown > Docs/cli.md)")
    func referenceIsCurrent() async throws {
        let committed = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("Docs/cli.md"), encoding: .utf8)
        let generated = await runAutoGit(["docs-markdown"])
        #expect(generated.status == 0)
        #expect(committed == generated.output)
    }

    @Test("the reference has the exit-code table and every visible command")
    func referenceContents() {
        let text = MarkdownReference(root: AutoGitCommands.root).render()
        #expect(text.contains("| 0 | Success |"))
        #expect(text.contains("| 2 | Usage error"))
        #expect(text.contains("| 6 | Server unreachable"))
        #expect(text.contains("### autogit runners config set"))
        #expect(text.contains("[`autogit jobs submit`](#autogit-jobs-submit)"))
        #expect(!text.contains("docs-markdown\n"))
    }

    @Test("every command is declared well: one-line abstract, unique names, positionals in a fillable order")
    func declarationsAreWellFormed() {
        for path in [[AutoGitCommands.root]] + AutoGitCommands.root.descendants(includingHidden: true) {
            let command = path[path.count - 1]
            let name = path.commandName
            #expect(!command.abstract.isEmpty && !command.abstract.contains("\n") && !command.abstract.hasSuffix("."), "\(name) abstract")
            let childNames = command.subcommands.flatMap { [$0.name] + $0.aliases }
            #expect(Set(childNames).count == childNames.count, "\(name) subcommand names are unique")
            let options = path.availableOptions
            let shorts = options.compactMap(\.short)
            #expect(Set(shorts).count == shorts.count, "\(name) short options are unique")
            #expect(Set(command.options.map(\.long)).count == command.options.count, "\(name) long options are unique")
            for option in options {
                #expect(!option.help.isEmpty, "\(name) --\(option.long) has help")
                if let defaultValue = option.defaultValue, !option.allowedValues.isEmpty {
                    #expect(option.allowedValues.contains(defaultValue), "\(name) --\(option.long) default is allowed")
                }
            }
            let arguments = command.arguments
            for (index, argument) in arguments.enumerated() {
                #expect(!argument.isVariadic || index == arguments.count - 1, "\(name) <\(argument.name)> variadic last")
                if index > 0, arguments[index - 1].isOptional {
                    #expect(argument.isOptional, "\(name) <\(argument.name)> optional after optional")
                }
            }
            #expect(command.run != nil || !command.subcommands.isEmpty, "\(name) runs or groups")
        }
    }

    @Test("every command the issue lists is declared")
    func commandTree() {
        let expected = [
            "runners list", "runners get", "runners provision", "runners register", "runners update", "runners delete",
            "runners start", "runners stop", "runners restart", "runners status", "runners health", "runners metrics",
            "runners logs", "runners config get", "runners config set", "gpus list", "gpus get", "gpus available",
            "jobs submit", "jobs list", "jobs get", "jobs cancel", "jobs logs", "config get", "config set", "config schema",
            "tokens list", "tokens create", "tokens revoke", "login", "logout", "context add", "context use",
            "context list", "context remove", "system status", "system info", "events watch", "webhooks list",
            "providers list", "completion", "help", "version", "serve", "runner",
        ]
        for words in expected {
            #expect(AutoGitCommands.root.path(to: words.split(separator: " ").map(String.init)) != nil, "autogit \(words)")
        }
    }
}
