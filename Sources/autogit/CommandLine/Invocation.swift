/// What a command line asks for: the command chosen (with the commands above it) and its parsed arguments.
struct Invocation: Sendable {
    /// From the root command down to the chosen one.
    var path: [CommandSpec]
    var arguments: ParsedArguments

    var command: CommandSpec { path[path.count - 1] }

    /// The words naming the command: `autogit runners list`.
    var commandName: String { path.commandName }
}
