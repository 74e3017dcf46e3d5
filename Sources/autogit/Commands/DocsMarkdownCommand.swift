/// `autogit docs-markdown`: writes the command reference; hidden, for keeping `Docs/cli.md` current.
enum DocsMarkdownCommand {
    static let spec = CommandSpec(
        "docs-markdown", abstract: "Print the command reference in Markdown (Docs/cli.md)", isHidden: true,
        run: { _, context in
            context.console.writeLine(MarkdownReference(root: context.root).render())
            return ExitCode.success.rawValue
        })
}
