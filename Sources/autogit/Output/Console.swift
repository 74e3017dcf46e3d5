/// Where a command's text goes, and what kind of terminal it goes to.
///
/// Commands write through a console rather than to the process's descriptors so tests can capture output and
/// pretend to be a TTY of any width.
struct Console: Sendable {
    typealias Writer = @Sendable (String) -> Void

    var output: Writer
    var error: Writer
    var isOutputTTY: Bool
    var isErrorTTY: Bool
    /// Columns available to tables and help text.
    var width: Int
    /// Reads standard input to its end (for `-f -`).
    var readInput: @Sendable () -> [UInt8]

    init(
        output: @escaping Writer, error: @escaping Writer, isOutputTTY: Bool = false, isErrorTTY: Bool = false,
        width: Int = Terminal.defaultWidth, readInput: @escaping @Sendable () -> [UInt8] = { [] }
    ) {
        self.output = output
        self.error = error
        self.isOutputTTY = isOutputTTY
        self.isErrorTTY = isErrorTTY
        self.width = width
        self.readInput = readInput
    }

    /// The process's standard output and error.
    static func standard(environment: [String: String]) -> Console {
        let isOutputTTY = Terminal.isTTY(1)
        let windowColumns = isOutputTTY ? Terminal.windowColumns(of: 1) : nil
        return Console(
            output: { Terminal.writeAll($0, to: 1) }, error: { Terminal.writeAll($0, to: 2) }, isOutputTTY: isOutputTTY,
            isErrorTTY: Terminal.isTTY(2), width: Terminal.width(windowColumns: windowColumns, environment: environment),
            readInput: { Terminal.readAll(from: 0) })
    }

    /// Writes `line` and a newline to standard output.
    func writeLine(_ line: String = "") { output(line + "\n") }

    /// Writes `line` and a newline to standard error.
    func writeErrorLine(_ line: String) { error(line + "\n") }
}
