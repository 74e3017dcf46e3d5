/// The shell snippets the `ssh` plugin runs on its hosts (POSIX `sh`, Linux `/proc`, `ps`, `setsid`).
enum RemoteScripts {
    /// Starts the agent detached (own session, output to its log, input from /dev/null) and prints its pid.
    /// The redirections matter: without them `ssh` waits for the agent's open output.
    static func start(words: [String], environment: [String: String], logDirectory: String, runnerName: String) -> String {
        let log = "\(logDirectory)/\(runnerName).log"
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        // The `&` must apply to the agent alone: `a && b & echo $!` would background the whole list, with ssh's output.
        return "mkdir -p \(ShellQuoting.quote(logDirectory)) && cd || exit 1; "
            + "env \(ShellQuoting.join(assignments)) setsid nohup \(ShellQuoting.join(words)) "
            + ">\(ShellQuoting.quote(log)) 2>&1 </dev/null & echo $!"
    }

    /// Prints `PID STATE SID RUNNER_NAME` for every process carrying this provider's tag (or only `pid`'s).
    static func scan(provider: String, pid: Int32? = nil) -> String {
        let tag = ShellQuoting.quote("\(FleetingTags.provider)=\(provider)")
        let plugin = ShellQuoting.quote("\(FleetingTags.plugin)=ssh")
        let files = pid.map { "/proc/\($0)/environ" } ?? "/proc/[0-9]*/environ"
        return """
            for f in $(grep -lzx \(tag) \(files) 2>/dev/null); do \
            p=${f#/proc/}; p=${p%/environ}; \
            tr '\\0' '\\n' <"$f" 2>/dev/null | grep -qx \(plugin) || continue; \
            s=$(ps -o stat= -o sid= -p "$p" 2>/dev/null) || continue; \
            n=$(tr '\\0' '\\n' <"$f" 2>/dev/null | sed -n 's/^\(FleetingTags.runnerName)=//p'); \
            echo "$p" $s "$n"; \
            done; echo scan-done
            """
    }

    /// Stops the agents whose pids are given (only those carrying this provider's tag): SIGTERM to each session's
    /// process group, up to `graceTenths` tenths of a second, SIGKILL for the rest; prints `stopped PID` per agent.
    static func stop(provider: String, pids: [Int32], graceTenths: Int) -> String {
        let tag = ShellQuoting.quote("\(FleetingTags.provider)=\(provider)")
        return """
            alive() { s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; case $s in Z*) return 1;; esac; }; \
            ours=""; for p in \(pids.map(String.init).joined(separator: " ")); do \
            tr '\\0' '\\n' </proc/$p/environ 2>/dev/null | grep -qx \(tag) || continue; \
            ours="$ours $p"; kill -TERM -$p 2>/dev/null || kill -TERM $p 2>/dev/null; done; \
            i=0; while [ $i -lt \(graceTenths) ]; do left=""; for p in $ours; do alive $p && left="$left $p"; done; \
            [ -z "$left" ] && break; sleep 0.1; i=$((i+1)); done; \
            for p in $ours; do alive $p && { kill -KILL -$p 2>/dev/null || kill -KILL $p 2>/dev/null; }; done; \
            i=0; while [ $i -lt 50 ]; do left=""; for p in $ours; do alive $p && left="$left $p"; done; \
            [ -z "$left" ] && break; sleep 0.1; i=$((i+1)); done; \
            for p in $ours; do echo "stopped $p"; done; echo stop-done
            """
    }
}
