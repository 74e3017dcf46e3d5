import AutoGitCore
import Foundation

/// A runner's recent heartbeat readings, bounded: the oldest sample goes when the history is full.
struct RunnerMetricHistory {
    struct Sample {
        var timestamp: Date
        var values: [String: Double]
    }

    let capacity: Int
    private(set) var samples: [Sample] = []
    private var start = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func record(_ heartbeat: Heartbeat, at timestamp: Date) {
        var values: [String: Double] = ["active_jobs": Double(heartbeat.currentLoad.activeJobs)]
        if let cpu = heartbeat.currentLoad.cpuUsage { values["cpu_usage"] = cpu }
        if let memory = heartbeat.currentLoad.memoryUsage { values["memory_usage"] = memory }
        if let disk = heartbeat.currentLoad.diskUsage { values["disk_usage"] = disk }
        let utilizations = heartbeat.gpus.compactMap(\.utilization)
        if !utilizations.isEmpty {
            values["gpu_utilization"] = utilizations.reduce(0, +) / Double(utilizations.count)
        }
        for reading in heartbeat.gpus {
            if let utilization = reading.utilization { values["gpu\(reading.index)_utilization"] = utilization }
            if let memory = reading.memoryUsedMB { values["gpu\(reading.index)_memory_used_mb"] = Double(memory) }
        }
        let sample = Sample(timestamp: timestamp, values: values)
        if samples.count < capacity {
            samples.append(sample)
        } else {
            samples[start] = sample
            start = (start + 1) % capacity
        }
    }

    /// Averages per `resolution` bucket over the last `period` seconds before `now`, with avg/max summaries.
    func series(period: Double, resolution: Double, now: Date) -> (metrics: [String: MetricSeries], summary: [String: Double]) {
        let since = now.addingTimeInterval(-period)
        let ordered = (samples[start...] + samples[..<start]).filter { $0.timestamp > since && $0.timestamp <= now }
        var buckets: [String: [Int: (sum: Double, count: Int)]] = [:]
        var totals: [String: (sum: Double, count: Int, maximum: Double)] = [:]
        for sample in ordered {
            let bucket = Int((sample.timestamp.timeIntervalSince(since) / resolution).rounded(.down))
            for (name, value) in sample.values {
                buckets[name, default: [:]][bucket, default: (0, 0)].sum += value
                buckets[name, default: [:]][bucket, default: (0, 0)].count += 1
                let total = totals[name] ?? (0, 0, -Double.infinity)
                totals[name] = (total.sum + value, total.count + 1, max(total.maximum, value))
            }
        }
        var metrics: [String: MetricSeries] = [:]
        for (name, byBucket) in buckets {
            metrics[name] = byBucket.keys.sorted().map { bucket in
                let entry = byBucket[bucket]!
                return MetricSample(
                    timestamp: since.addingTimeInterval(Double(bucket) * resolution), value: entry.sum / Double(entry.count))
            }
        }
        var summary: [String: Double] = [:]
        for (name, total) in totals where !name.hasPrefix("gpu") || name == "gpu_utilization" {
            summary["avg_\(name)"] = total.sum / Double(total.count)
            summary["max_\(name)"] = total.maximum
        }
        return (metrics, summary)
    }
}

/// Durations as the API writes them: `30s`, `5m`, `1h`, `7d`, or plain seconds.
enum DurationText {
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(trimmed), plain > 0 { return plain }
        guard let unit = trimmed.last, let number = Double(trimmed.dropLast()), number > 0 else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86_400
        case "w": return number * 604_800
        default: return nil
        }
    }
}
