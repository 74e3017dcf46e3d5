import AutoGitCore
import Foundation
import Testing

@Suite("Configuration schema and validation")
struct ConfigurationSchemaTests {
    @Test("the default configuration satisfies its own schema")
    func defaultsAreValid() throws {
        let document = try JSONValue(encoding: ServerConfiguration())
        try JSONSchemaValidator.validate(document, against: ServerConfiguration.jsonSchema)
        try ServerConfiguration().validate()
    }

    @Test("a patch changes only what it names")
    func patchApplies() throws {
        let patched = try ServerConfiguration().validated(mergePatch: ["rate_limits": ["authenticated_per_minute": 500]])
        #expect(patched.rateLimits.authenticatedPerMinute == 500)
        #expect(patched.rateLimits.unauthenticatedPerMinute == ServerConfiguration().rateLimits.unauthenticatedPerMinute)
    }

    static let badPatches: [(patch: JSONValue, field: String)] = [
        (["rate_limits": ["authenticated_per_minute": 0]], "rate_limits.authenticated_per_minute"),
        (["rate_limits": ["authenticated_per_minute": "many"]], "rate_limits.authenticated_per_minute"),
        (["server": ["port": 70000]], "server.port"),
        (["jobs": ["limits": ["max_steps": 1.5]]], "jobs.limits.max_steps"),
        (["colour": "blue"], "colour"),
        (["auth": ["users": [["username": "ann", "role": "wizard"]]]], "auth.users[0].role"),
        (["instances": ["port_range_start": 9000, "port_range_end": 8000]], "instances.port_range_end"),
        (["providers": [["name": "a", "type": "local"], ["name": "a", "type": "ssh"]]], "providers[1].name"),
    ]

    @Test("a bad patch names the field", arguments: badPatches)
    func badPatch(patch: JSONValue, field: String) {
        #expect {
            _ = try ServerConfiguration().validated(mergePatch: patch)
        } throws: { error in
            (error as? CoreError)?.field == field
        }
    }

    @Test("null removes a field back to its default")
    func nullResets() throws {
        let changed = try ServerConfiguration().validated(mergePatch: ["server": ["port": 9090]])
        let reset = try changed.validated(mergePatch: ["server": ["port": nil]])
        #expect(reset.server.port == 8080)
    }
}

@Suite("Configuration details")
struct ConfigurationDetailTests {
    @Test("a partial jobs.limits keeps the other defaults")
    func partialLimits() throws {
        let json = #"{"jobs": {"limits": {"max_steps": 5}}}"#
        let configuration = try AutoGitJSON.decoder().decode(ServerConfiguration.self, from: Data(json.utf8))
        #expect(configuration.jobs.limits.maxSteps == 5)
        #expect(configuration.jobs.limits.maxRetryCount == JobLimits().maxRetryCount)
    }

    @Test("secrets in provider settings are redacted, key paths are not")
    func redaction() {
        let configuration = ServerConfiguration(providers: [
            .init(
                name: "cloud", type: "external",
                settings: ["api_key": "sk-123", "ssh": ["key_path": "/home/a/.ssh/id", "password": "hunter2"], "region": "eu"])
        ])
        let settings = configuration.redacted.providers[0].settings
        #expect(settings["api_key"] == "<redacted>")
        #expect(settings["ssh"]?["password"] == "<redacted>")
        #expect(settings["ssh"]?["key_path"] == "/home/a/.ssh/id")
        #expect(settings["region"] == "eu")
    }
}
