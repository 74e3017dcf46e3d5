import Foundation

/// One measured round, in seconds from the submission.
struct ScaleUpRound: Sendable {
    var provisioned: Double?
    var registered: Double?
    var firstLine: Double

    static func report(_ plugin: String, _ rounds: [ScaleUpRound]) {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        func milliseconds(_ value: Double?) -> String { value.map { String(format: "%6.0f ms", $0 * 1000) } ?? "     —   " }
        print("\n\(plugin):")
        print("  round  instance created  agent registered  first output line")
        for (index, round) in rounds.enumerated() {
            print(
                "  \(String(format: "%5d", index + 1))  \(milliseconds(round.provisioned))         \(milliseconds(round.registered))         \(milliseconds(round.firstLine))"
            )
        }
        let lines = rounds.map(\.firstLine)
        print(
            "  median \(milliseconds(median(rounds.compactMap(\.provisioned))))         \(milliseconds(median(rounds.compactMap(\.registered))))         \(milliseconds(median(lines)))   (min \(milliseconds(lines.min())), max \(milliseconds(lines.max())))"
        )
    }
}
