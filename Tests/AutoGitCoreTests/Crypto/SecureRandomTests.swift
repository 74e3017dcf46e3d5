import AutoGitCore
import Testing

@Suite("Secure random")
struct SecureRandomTests {
    @Test("bytes come in exactly the count asked for", arguments: [0, 1, 7, 8, 9, 16, 33, 1000])
    func byteCount(count: Int) {
        #expect(SecureRandom.bytes(count: count).count == count)
    }

    @Test("bytes differ from call to call and are not constant")
    func bytesVary() {
        let first = SecureRandom.bytes(count: 32)
        let second = SecureRandom.bytes(count: 32)
        #expect(first != second)
        #expect(Set(SecureRandom.bytes(count: 4096)).count > 200)
    }

    @Test("a given generator is used as is: the same seed gives the same bytes")
    func injectedGenerator() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        var reference = SplitMix64(seed: 42)
        let bytes = SecureRandom.bytes(count: 12, using: &first)
        #expect(bytes == SecureRandom.bytes(count: 12, using: &second))
        let word = reference.next()
        #expect(Array(bytes.prefix(8)) == withUnsafeBytes(of: word) { Array($0) })
    }

    @Test("an API token is agt_ and 43 base64url characters encoding 32 bytes")
    func apiTokenShape() throws {
        let token = SecureRandom.apiToken()
        #expect(token.hasPrefix("agt_"))
        #expect(token.utf8.count == 4 + 43)
        let body = token.dropFirst(4)
        #expect(body.unicodeScalars.allSatisfy { Self.base64URLAlphabet.contains($0) })
        let bytes = try #require(Base64URL.decode(body))
        #expect(bytes.count == 32)
    }

    @Test("API tokens are unique")
    func apiTokensAreUnique() {
        let tokens = (0..<1000).map { _ in SecureRandom.apiToken() }
        #expect(Set(tokens).count == tokens.count)
    }

    @Test("the prefix and the entropy can be chosen")
    func customToken() {
        let token = SecureRandom.apiToken(prefix: "whsec_", byteCount: 24)
        #expect(token.hasPrefix("whsec_"))
        #expect(token.utf8.count == 6 + 32)
    }

    private static let base64URLAlphabet = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".unicodeScalars
    )
}

/// A small deterministic generator (SplitMix64), to test that an injected generator is what is used.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
