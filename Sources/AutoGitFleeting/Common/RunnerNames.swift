/// Runner names for new instances: the provider's name and eight random hex digits (`slurm-a100-3f9c01ab`), unique
/// enough that two servers sharing a cluster do not collide, and recognisable as the provider's.
enum RunnerNames {
    static func make(provider: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = String(generator.next() & 0xffff_ffff, radix: 16)
        return "\(provider)-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
    }

    /// Whether `name` is one that ``make(provider:)`` produced for `provider`.
    static func belongs(_ name: String, to provider: String) -> Bool {
        guard name.hasPrefix(provider + "-") else { return false }
        let suffix = name.dropFirst(provider.count + 1)
        return suffix.count == 8 && suffix.allSatisfy(\.isHexDigit)
    }
}
