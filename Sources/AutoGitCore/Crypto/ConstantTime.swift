/// Comparison of secrets (MACs, token digests, password hashes) whose running time does not depend on where the
/// inputs differ, so that an attacker cannot find a valid MAC byte by byte by timing the comparison.
public enum ConstantTime {
    /// Returns whether `lhs` and `rhs` hold the same bytes, examining every byte whatever the content.
    ///
    /// Lengths are not treated as secret: different lengths return `false` at once. Compare fixed-length values
    /// (digests, MACs) so that the length says nothing.
    @inline(never)
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }

    /// Returns whether two strings have the same UTF-8 bytes, examining every byte whatever the content.
    ///
    /// No Unicode normalisation is applied: this compares secrets, not text.
    public static func equals(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        equals(lhs.utf8, rhs.utf8)
    }
}
