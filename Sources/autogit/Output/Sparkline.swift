/// A series drawn in one line of block characters (`▁▂▃▅▇`), for a trend in a table cell.
enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// At most `width` characters; longer series are averaged into `width` buckets. Empty for no values; a flat
    /// series is drawn at the lowest level.
    static func render(_ values: [Double], width: Int) -> String {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty, width > 0 else { return "" }
        let buckets: [Double]
        if finite.count <= width {
            buckets = finite
        } else {
            buckets = (0..<width).map { bucket in
                let start = bucket * finite.count / width
                let end = max(start + 1, (bucket + 1) * finite.count / width)
                let slice = finite[start..<end]
                return slice.reduce(0, +) / Double(slice.count)
            }
        }
        let low = buckets.min() ?? 0
        let high = buckets.max() ?? 0
        let span = high - low
        return String(
            buckets.map { value in
                guard span > 0 else { return levels[0] }
                let level = Int(((value - low) / span * Double(levels.count - 1)).rounded())
                return levels[min(levels.count - 1, max(0, level))]
            })
    }
}
