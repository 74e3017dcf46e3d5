/// Finds the declared name a mistyped one was probably meant to be, for "did you mean …?" hints.
enum SpellingSuggestion {
    /// The candidate closest to `word`, when it is close enough to be a plausible typo or an unambiguous prefix.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let prefixMatches = candidates.filter { $0.hasPrefix(word) }
        if word.count >= 3, prefixMatches.count == 1 { return prefixMatches[0] }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            if distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        guard let best else { return nil }
        // One edit for short words, up to a third of the word for longer ones: "--stauts" finds "--status", "-x"
        // finds nothing.
        let allowed = max(1, min(3, best.candidate.count / 3))
        return best.distance <= allowed ? best.candidate : nil
    }

    /// Edits (insertion, deletion, substitution, transposition of neighbours) that turn `a` into `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = Swift.min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
