import AutoGitCore
import Foundation
import Testing

@Suite("JSON values and RFC 7396 merge patches")
struct JSONMergePatchTests {
    /// RFC 7396 Appendix A: target, patch, result.
    static let appendixA: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("RFC 7396 Appendix A examples", arguments: appendixA)
    func appendixExamples(target: String, patch: String, expected: String) throws {
        let decode = { (text: String) in try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        #expect(try decode(target).applyingMergePatch(decode(patch)) == decode(expected))
    }

    @Test("JSON values round-trip, integers without a fraction")
    func jsonValueRoundTrip() throws {
        let text = #"{"a":[1,2.5,true,null,"x"],"b":{"c":-3},"d":9007199254740991}"#
        let value = try roundTrip(JSONValue.self, Data(text.utf8))
        #expect(String(decoding: try AutoGitJSON.encode(value), as: UTF8.self) == text)
        #expect(value["b"]?["c"]?.intValue == -3)
        #expect(value["a"]?.arrayValue?[1].doubleValue == 2.5)
        #expect(value["a"]?.arrayValue?[2].boolValue == true)
    }

    @Test("a partial configuration file fills in every default")
    func partialConfiguration() throws {
        let config = try AutoGitJSON.decode(
            ServerConfiguration.self, from: Data(#"{"server": {"port": 9090}, "rate_limits": {"enabled": false}}"#.utf8))
        #expect(config.server.port == 9090)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.rateLimits.enabled == false)
        #expect(config.rateLimits.authenticatedPerMinute == 100)
        #expect(config.rateLimits.unauthenticatedPerMinute == 10)
        #expect(config.jobs == ServerConfiguration.Jobs())
        try roundTrip(ServerConfiguration.self, AutoGitJSON.encode(config))
    }

    @Test("a configuration merge patch changes only what it names")
    func configurationPatch() throws {
        let config = ServerConfiguration()
        let patched = try config.applying(mergePatch: [
            "rate_limits": ["authenticated_per_minute": 500], "server": ["public_url": "https://ci.example"],
        ])
        #expect(patched.rateLimits.authenticatedPerMinute == 500)
        #expect(patched.rateLimits.enabled)
        #expect(patched.server.publicURL == "https://ci.example")
        let cleared = try patched.applying(mergePatch: ["server": ["public_url": nil]])
        #expect(cleared.server.publicURL == nil)
    }

    @Test("a configuration patch of the wrong type names the field")
    func configurationPatchWrongType() {
        #expect {
            try ServerConfiguration().applying(mergePatch: ["runners": ["offline_after_seconds": "soon"]])
        } throws: { error in
            (error as? CoreError)?.field == "runners.offline_after_seconds"
        }
        #expect(throws: CoreError.self) { try ServerConfiguration().applying(mergePatch: [1, 2]) }
    }

    @Test("the configuration as shown drops password hashes")
    func redaction() {
        var config = ServerConfiguration()
        config.auth.users = [.init(username: "ada", passwordHash: "pbkdf2-sha256$1$x$y", role: .admin)]
        #expect(config.redacted.auth.users == [.init(username: "ada", passwordHash: nil, role: .admin)])
    }
}
