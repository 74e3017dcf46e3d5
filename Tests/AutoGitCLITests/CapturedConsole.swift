import Foundation
import Synchronization

@testable import autogit

/// Text written to one stream of a test console.
final class TextBuffer: Sendable {
    private let storage = Mutex("")

    func append(_ text: String) { storage.withLock { $0 += text } }

    var text: String { storage.withLock { $0 } }
}

/// A console whose output tests read back, pretending to be a terminal of a chosen width (or not a terminal).
struct CapturedConsole {
    let output = TextBuffer()
    let error = TextBuffer()
    let console: Console

    init(isTTY: Bool = false, width: Int = 100, input: String = "") {
        let output = output
        let error = error
        console = Console(
            output: { output.append($0) }, error: { error.append($0) }, isOutputTTY: isTTY, isErrorTTY: isTTY,
            width: width, readInput: { Array(input.utf8) })
    }
}

/// What one in-process run of `autogit` did.
struct CLIResult {
    var status: Int32
    var output: String
    var error: String
}

/// A fixed instant, so relative times in tests do not depend on the clock.
let testNow = Date(timeIntervalSince1970: 1_700_000_000)

/// Runs `autogit` in-process with `arguments`, capturing its output.
func runAutoGit(
    _ arguments: [String], environment: [String: String] = [:], isTTY: Bool = false, width: Int = 100, input: String = ""
) async -> CLIResult {
    let captured = CapturedConsole(isTTY: isTTY, width: width, input: input)
    let status = await runCLI(arguments: arguments, environment: environment, console: captured.console, now: { testNow })
    return CLIResult(status: status, output: captured.output.text, error: captured.error.text)
}
