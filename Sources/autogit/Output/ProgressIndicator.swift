import Synchronization

/// Shows what a long operation is doing (`jobs submit --wait`: queued → assigned → running).
///
/// On a terminal it redraws one line with a spinner; elsewhere (a pipe, a CI log) it prints each new message once
/// as a plain line, so logs stay readable. It writes to standard error, leaving standard output to the result.
final class ProgressIndicator: Sendable {
    static let frames: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    private struct State {
        var message = ""
        var frame = 0
        var ticker: Task<Void, Never>?
        var isFinished = false
    }

    private let write: Console.Writer
    private let isAnimated: Bool
    private let state = Mutex(State())

    /// Animates when standard error is a terminal, unless `isAnimated` says otherwise.
    init(console: Console, isAnimated: Bool? = nil) {
        self.write = console.error
        self.isAnimated = isAnimated ?? console.isErrorTTY
    }

    deinit {
        state.withLock { $0.ticker?.cancel() }
    }

    /// Shows `message` as the current state; repeated messages are not printed again off a terminal.
    func update(_ message: String) {
        let output: String? = state.withLock { state in
            guard !state.isFinished, message != state.message else { return nil }
            state.message = message
            guard isAnimated else { return message + "\n" }
            return redrawLine(state)
        }
        if let output { write(output) }
        if isAnimated { startTicking() }
    }

    /// Stops the spinner and leaves `message` (if any) as the final line.
    func finish(_ message: String? = nil) {
        let (ticker, output): (Task<Void, Never>?, String) = state.withLock { state in
            guard !state.isFinished else { return (nil, "") }
            state.isFinished = true
            let ticker = state.ticker
            state.ticker = nil
            var output = isAnimated && !state.message.isEmpty ? "\r\u{1B}[2K" : ""
            if let message { output += message + "\n" }
            return (ticker, output)
        }
        ticker?.cancel()
        if !output.isEmpty { write(output) }
    }

    private func redrawLine(_ state: State) -> String {
        "\r\u{1B}[2K" + Self.frames[state.frame % Self.frames.count] + " " + state.message
    }

    private func startTicking() {
        state.withLock { state in
            guard state.ticker == nil, !state.isFinished else { return }
            state.ticker = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    guard let self, !Task.isCancelled else { return }
                    self.tick()
                }
            }
        }
    }

    private func tick() {
        let output: String? = state.withLock { state in
            guard !state.isFinished else { return nil }
            state.frame += 1
            return redrawLine(state)
        }
        if let output { write(output) }
    }
}
