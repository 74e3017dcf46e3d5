import Foundation

/// A stand-in for `autogit runner`: records its arguments and environment in `DIR/NAME.args` and `DIR/NAME.env`
/// (NAME from `AUTOGIT_RUNNER_NAME`), then sleeps until it is killed.
enum FakeAgent {
    /// A script that behaves as above; with `ignoresTerm` it survives SIGTERM (to prove the SIGKILL that follows).
    static func script(markerDirectory: String, ignoresTerm: Bool = false) -> String {
        """
        #!/bin/sh
        dir='\(markerDirectory)'
        for word in "$@"; do printf '%s\\n' "$word"; done >"$dir/$AUTOGIT_RUNNER_NAME.args.tmp"
        env >"$dir/$AUTOGIT_RUNNER_NAME.env.tmp"
        echo $$ >"$dir/$AUTOGIT_RUNNER_NAME.pid"
        mv "$dir/$AUTOGIT_RUNNER_NAME.args.tmp" "$dir/$AUTOGIT_RUNNER_NAME.args"
        mv "$dir/$AUTOGIT_RUNNER_NAME.env.tmp" "$dir/$AUTOGIT_RUNNER_NAME.env"
        echo "fake agent $AUTOGIT_RUNNER_NAME started"
        \(ignoresTerm ? "trap '' TERM\nwhile :; do sleep 1; done" : "exec sleep 600")

        """
    }

    /// The environment the agent of `runnerName` recorded, once it has.
    static func environment(in directory: String, runnerName: String) -> [String: String]? {
        guard let text = try? String(contentsOfFile: "\(directory)/\(runnerName).env", encoding: .utf8) else { return nil }
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }

    /// The pid the agent of `runnerName` recorded.
    static func pid(in directory: String, runnerName: String) -> Int32? {
        (try? String(contentsOfFile: "\(directory)/\(runnerName).pid", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func arguments(in directory: String, runnerName: String) -> [String]? {
        guard let text = try? String(contentsOfFile: "\(directory)/\(runnerName).args", encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
