import Foundation

/// A line chart drawn with Unicode braille characters: each character cell holds 2 × 4 dots, so a 60 × 12 cell
/// chart has 120 × 48 points of resolution. The y axis is labelled with the series' maximum and minimum, the x axis
/// with the first and last step.
struct BrailleChart: Sendable {
    var width: Int
    var height: Int

    init(width: Int = 60, height: Int = 12) {
        self.width = max(4, width)
        self.height = max(2, height)
    }

    /// The chart of `points` (x, y) in x order, as lines ending in a newline; empty when there is nothing to draw.
    /// Consecutive points are joined, so a spike between two samples stays visible.
    func render(_ points: [(x: Double, y: Double)]) -> String {
        let points = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard let first = points.first, let last = points.last else { return "" }
        let yValues = points.map(\.y)
        let (low, high) = (yValues.min() ?? 0, yValues.max() ?? 0)
        let (xLow, xHigh) = (first.x, last.x)
        let dotsWide = width * 2
        let dotsHigh = height * 4
        var dots = [[Bool]](repeating: [Bool](repeating: false, count: dotsWide), count: dotsHigh)
        func column(_ x: Double) -> Int {
            xHigh > xLow ? Int(((x - xLow) / (xHigh - xLow) * Double(dotsWide - 1)).rounded()) : 0
        }
        func row(_ y: Double) -> Int {
            // Row 0 is the top: the largest value.
            high > low ? Int(((high - y) / (high - low) * Double(dotsHigh - 1)).rounded()) : dotsHigh - 1
        }
        var previous: (Int, Int)?
        for point in points {
            let current = (column(point.x), row(point.y))
            if let previous {
                Self.line(from: previous, to: current) { x, y in dots[y][x] = true }
            } else {
                dots[current.1][current.0] = true
            }
            previous = current
        }
        let top = Self.label(high)
        let bottom = Self.label(low)
        let labelWidth = max(top.count, bottom.count)
        var text = ""
        for cellRow in 0..<height {
            var line = ""
            for cellColumn in 0..<width {
                line.unicodeScalars.append(Self.cell(dots, row: cellRow * 4, column: cellColumn * 2))
            }
            let label = cellRow == 0 ? top : cellRow == height - 1 ? bottom : ""
            text += String(repeating: " ", count: labelWidth - label.count) + label + " ┤" + line + "\n"
        }
        let startLabel = Self.label(xLow)
        let endLabel = Self.label(xHigh)
        let gap = max(1, width - startLabel.count - endLabel.count)
        text += String(repeating: " ", count: labelWidth + 2) + startLabel + String(repeating: " ", count: gap) + endLabel + "\n"
        return text
    }

    /// The braille character for the 2 × 4 dots whose top-left is (`row`, `column`).
    private static func cell(_ dots: [[Bool]], row: Int, column: Int) -> Unicode.Scalar {
        // Dot numbering of the braille block (U+2800): bits 0–2 and 6 are the left column, 3–5 and 7 the right.
        let bits: [(Int, Int, UInt32)] = [
            (0, 0, 0x01), (1, 0, 0x02), (2, 0, 0x04), (3, 0, 0x40), (0, 1, 0x08), (1, 1, 0x10), (2, 1, 0x20), (3, 1, 0x80),
        ]
        var value: UInt32 = 0
        for (dy, dx, bit) in bits where dots[row + dy][column + dx] {
            value |= bit
        }
        return Unicode.Scalar(0x2800 + value) ?? " "
    }

    /// Calls `plot` for every dot on the straight line between two dots (Bresenham).
    private static func line(from start: (Int, Int), to end: (Int, Int), plot: (Int, Int) -> Void) {
        var (x, y) = start
        let (dx, dy) = (abs(end.0 - x), -abs(end.1 - y))
        let (stepX, stepY) = (x < end.0 ? 1 : -1, y < end.1 ? 1 : -1)
        var error = dx + dy
        while true {
            plot(x, y)
            if x == end.0 && y == end.1 { return }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += stepX
            }
            if doubled <= dx {
                error += dx
                y += stepY
            }
        }
    }

    /// A short number for an axis: up to four significant digits, integers without a decimal point.
    static func label(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        var text = String(format: "%.4g", value)
        if text.contains("e") { return text }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
