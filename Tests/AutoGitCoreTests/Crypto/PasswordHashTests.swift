import AutoGitCore
import Testing

@Suite("Password hashes")
struct PasswordHashTests {
    static let salt: [UInt8] = Array(0..<16)

    @Test("a known password, salt and count give the PBKDF2 hash in the documented format")
    func knownEncoding() {
        let hash = PasswordHash(password: "correct horse battery staple", salt: Self.salt, iterations: 1000)
        #expect(hash.encoded == "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4")
        #expect(hash.iterations == 1000)
        #expect(hash.salt == Self.salt)
        #expect(hash.hash.count == 32)
    }

    @Test("the right password matches and a wrong one does not")
    func verification() throws {
        let encoded = PasswordHash(password: "hunter2", iterations: 10).encoded
        #expect(try PasswordHash.verify(password: "hunter2", encoded: encoded))
        #expect(try !PasswordHash.verify(password: "hunter3", encoded: encoded))
        #expect(try !PasswordHash.verify(password: "", encoded: encoded))
        #expect(try !PasswordHash.verify(password: "hunter2 ", encoded: encoded))
        let stored = "pbkdf2-sha256$1$AAECAwQFBgcICQoLDA0ODw$4bCPkr6BdNn0QtldiapMzcMRIxpNcNC4VNFUjej6vf0"
        #expect(try PasswordHash.verify(password: "password", encoded: stored))
    }

    @Test("each new hash has a fresh 16-byte salt, so equal passwords hash differently")
    func freshSalt() throws {
        let first = PasswordHash(password: "same", iterations: 2)
        let second = PasswordHash(password: "same", iterations: 2)
        #expect(first.salt.count == PasswordHash.saltByteCount)
        #expect(first.encoded != second.encoded)
        #expect(first.matches(password: "same") && second.matches(password: "same"))
    }

    @Test("an encoded hash reads back to the same hash")
    func roundTrip() throws {
        let hash = PasswordHash(password: "pässwörd", iterations: 3)
        let read = try PasswordHash(encoded: hash.encoded)
        #expect(read.encoded == hash.encoded)
        #expect(read.iterations == 3)
        #expect(read.matches(password: "pässwörd"))
        // No Unicode normalisation: the decomposed spelling is another password.
        #expect(!read.matches(password: "pa\u{308}sswo\u{308}rd"))
    }

    @Test("new hashes default to a server-grade work factor")
    func defaults() {
        #expect(PasswordHash.defaultIterations == 100_000)
        #expect(PasswordHash.maximumIterations >= PasswordHash.defaultIterations)
    }

    @Test(
        "malformed strings are rejected with PASSWORD_HASH_MALFORMED",
        arguments: [
            "",
            "pbkdf2-sha256",
            "hunter2",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4$",
            "bcrypt$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "PBKDF2-SHA256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$0$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$01000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$-1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$+1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$1e3$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$10000001$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$99999999999999999999$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$1000$$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoL+A0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4Kry",
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4=",
            " pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4",
        ]
    )
    func malformed(encoded: String) {
        #expect(errorCode { try PasswordHash(encoded: encoded) } == .passwordHashMalformed)
        #expect(errorCode { try PasswordHash.verify(password: "password", encoded: encoded) } == .passwordHashMalformed)
    }
}
