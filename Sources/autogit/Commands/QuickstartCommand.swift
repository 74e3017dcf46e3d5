/// `autogit quickstart`: the whole system on this machine in one command.
enum QuickstartCommand {
    static let spec = CommandSpec(
        "quickstart", abstract: "Start a local server and two runners, run sample jobs, and stop",
        run: CommandSpec.notImplemented(needs: "the reference server and runner agent, issues 4 and 7"))
}
