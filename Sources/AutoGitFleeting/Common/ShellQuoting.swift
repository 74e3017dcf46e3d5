/// Quoting for POSIX `sh`, used wherever a command line crosses a shell: `ssh` remote commands and Slurm job scripts.
enum ShellQuoting {
    /// `word` as one shell word: unchanged when it holds only safe characters, else in single quotes.
    static func quote(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The words joined into one command line.
    static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
