import AutoGitCore
import Testing

@Suite("PBKDF2-HMAC-SHA256")
struct PBKDF2Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let password: [UInt8]
        let salt: [UInt8]
        let iterations: Int
        let key: String
        var testDescription: String {
            "\(String(decoding: password, as: UTF8.self).debugDescription) c=\(iterations) dkLen=\(key.count / 2)"
        }

        init(_ password: String, _ salt: String, _ iterations: Int, _ key: String) {
            self.password = Array(password.utf8)
            self.salt = Array(salt.utf8)
            self.iterations = iterations
            self.key = key
        }
    }

    /// RFC 7914 §11's first vector, and the RFC 6070 inputs with SHA-256 (each checked against Python's
    /// hashlib.pbkdf2_hmac), including key lengths that end inside a block and span two.
    static let vectors: [Vector] = [
        Vector(
            "passwd", "salt", 1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        ),
        Vector("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        Vector("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        Vector("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        Vector("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c9"),
        Vector("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8e"),
        Vector("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a0"),
        Vector(
            "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
            "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"
        ),
        Vector("pass\0word", "sa\0lt", 4096, "89b69d0516f829893c696226650a8687"),
        Vector("password", "salt", 1, "12"),
        Vector("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b4d"),
    ]

    @Test("published vectors derive the published keys", arguments: vectors)
    func publishedVectors(vector: Vector) {
        let key = PBKDF2.deriveKey(
            password: vector.password,
            salt: vector.salt,
            iterations: vector.iterations,
            keyLength: vector.key.count / 2
        )
        #expect(Hex.encode(key) == vector.key)
    }

    /// RFC 7914 §11's second vector: 80,000 iterations and two output blocks, the slowest test in this target
    /// (about 0.3 s in a debug build, 0.06 s in a release build).
    @Test("the RFC 7914 vector with 80,000 iterations derives the published key")
    func rfc7914ExpensiveVector() {
        let key = PBKDF2.deriveKey(password: "Password", salt: Array("NaCl".utf8), iterations: 80_000, keyLength: 64)
        #expect(
            Hex.encode(key)
                == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        )
    }

    @Test("a string password derives from its UTF-8 bytes")
    func stringPassword() {
        let key = PBKDF2.deriveKey(password: "password", salt: Array("salt".utf8), iterations: 2, keyLength: 32)
        #expect(Hex.encode(key) == "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
    }
}
