/// Reads durations typed on the command line: `300` (seconds), `90s`, `5m`, `2h`, `1d`, or combinations like
/// `1h30m`.
enum DurationArgument {
    /// Whole seconds, or `nil` when `text` is not a duration (negative durations are not).
    static func seconds(in text: String) -> Int? {
        if let plain = Int(text) { return plain >= 0 ? plain : nil }
        var total = 0
        var digits = ""
        var sawUnit = false
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let scale: Int
            switch character {
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: return nil
            }
            guard let amount = Int(digits) else { return nil }
            let (product, overflowed) = amount.multipliedReportingOverflow(by: scale)
            guard !overflowed else { return nil }
            total += product
            digits = ""
            sawUnit = true
        }
        return sawUnit && digits.isEmpty ? total : nil
    }
}
