/// Shrinks a long metric series for charts without hiding its spikes.
///
/// Points are split into equal step ranges ("buckets"); each bucket keeps its minimum and its maximum, in step
/// order, so a loss spike that averaging or every-nth sampling would drop stays on the chart. The first and the
/// last point are always kept (a chart's ends matter). The result has at most `maxPoints` points and is in step
/// order; a series that already fits is returned unchanged.
public enum MetricDownsampler {
    public static func downsample(_ points: [MetricPoint], maxPoints: Int) -> [MetricPoint] {
        guard maxPoints > 0 else { return [] }
        guard points.count > maxPoints else { return points }
        let sorted = isSortedByStep(points) ? points : points.sorted { $0.step < $1.step }
        if maxPoints < 4 {
            // Too few for min/max pairs: the ends, then the extreme in between.
            let inner = sorted[1..<(sorted.count - 1)]
            let kept = [sorted.first!, sorted.last!] + (inner.isEmpty ? [] : [extreme(of: inner)])
            return Array(kept.prefix(maxPoints)).sorted { $0.step < $1.step }
        }
        let first = sorted.first!
        let last = sorted.last!
        let inner = sorted[1..<(sorted.count - 1)]
        let bucketCount = (maxPoints - 2) / 2
        var result: [MetricPoint] = [first]
        result.reserveCapacity(maxPoints)
        let lowStep = inner.first!.step
        let span = Double(inner.last!.step - lowStep) + 1
        var bucketStart = inner.startIndex
        for bucket in 0..<bucketCount {
            // Bucket b holds steps in [low + span·b/n, low + span·(b+1)/n).
            let upper = Double(lowStep) + span * Double(bucket + 1) / Double(bucketCount)
            var bucketEnd = bucketStart
            while bucketEnd < inner.endIndex && (Double(inner[bucketEnd].step) < upper || bucket == bucketCount - 1) {
                bucketEnd += 1
            }
            guard bucketEnd > bucketStart else { continue }
            let slice = inner[bucketStart..<bucketEnd]
            var low = slice.startIndex
            var high = slice.startIndex
            for index in slice.indices {
                if slice[index].value < slice[low].value { low = index }
                if slice[index].value > slice[high].value { high = index }
            }
            if low == high {
                result.append(slice[low])
            } else {
                result.append(slice[min(low, high)])
                result.append(slice[max(low, high)])
            }
            bucketStart = bucketEnd
        }
        result.append(last)
        return result
    }

    private static func isSortedByStep(_ points: [MetricPoint]) -> Bool {
        zip(points, points.dropFirst()).allSatisfy { $0.step <= $1.step }
    }

    /// The point farthest from the mean of the slice: the one a chart must not lose.
    private static func extreme(of slice: ArraySlice<MetricPoint>) -> MetricPoint {
        let mean = slice.reduce(0) { $0 + $1.value } / Double(slice.count)
        return slice.max { abs($0.value - mean) < abs($1.value - mean) }!
    }
}
