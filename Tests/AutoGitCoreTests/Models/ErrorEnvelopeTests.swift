import AutoGitCore
import Foundation
import Testing

@Suite("Error envelopes")
struct ErrorEnvelopeTests {
    @Test("AutoGit's envelope: {error: {code, message, details}}")
    func autogitShape() throws {
        let json = #"{"error": {"code": "RUNNER_NOT_FOUND", "message": "Runner 'r9' not found", "details": {"runner_id": "r9"}}}"#
        let body = try #require(APIErrorBody.decode(from: Data(json.utf8)))
        #expect(body.code == .runnerNotFound)
        #expect(body.message == "Runner 'r9' not found")
        #expect(body.details?["runner_id"] == "r9")
        let envelope = try roundTrip(ErrorEnvelope.self, Data(json.utf8))
        #expect(envelope.error == body)
    }

    @Test("the request id travels in the envelope")
    func requestID() throws {
        let json = #"{"error": {"code": "JOB_NOT_FOUND", "message": "no job", "request_id": "req-42"}}"#
        let body = try #require(APIErrorBody.decode(from: Data(json.utf8)))
        #expect(body.requestID == "req-42")
        let envelope = try roundTrip(ErrorEnvelope.self, Data(json.utf8))
        #expect(envelope.error.requestID == "req-42")
    }

    @Test("RustCI's envelope: {success: false, error: {...}}")
    func rustciShape() throws {
        let json = #"{"success": false, "error": {"code": "INVALID_REQUEST", "message": "bad", "details": {"field": "name"}}}"#
        let body = try #require(APIErrorBody.decode(from: Data(json.utf8)))
        #expect(body.code == .invalidRequest)
        #expect(body.message == "bad")
        #expect(body.details?["field"] == "name")
    }

    @Test("LlamaCtl's envelope: {error: message, code, details}")
    func llamactlShape() throws {
        let json = #"{"error": "Instance already exists", "code": "CONFLICT", "details": "name taken"}"#
        let body = try #require(APIErrorBody.decode(from: Data(json.utf8)))
        #expect(body.code == .conflict)
        #expect(body.message == "Instance already exists")
        #expect(body.details == "name taken")
    }

    @Test("FastAPI's envelope: {detail: message} takes the code from the status")
    func fastAPIShape() throws {
        let json = #"{"detail": "Rate limit exceeded", "retry_after": 45}"#
        let body = try #require(APIErrorBody.decode(from: Data(json.utf8), fallbackCode: .rateLimitExceeded))
        #expect(body.code == .rateLimitExceeded)
        #expect(body.message == "Rate limit exceeded")
        #expect(body.details?["retry_after"] == 45)
    }

    @Test("FastAPI's validation errors are summarised with their locations")
    func fastAPIValidation() throws {
        let json = #"{"detail": [{"loc": ["body", "steps", 0, "run"], "msg": "field required", "type": "missing"}]}"#
        let body = try #require(APIErrorBody.decode(from: Data(json.utf8), fallbackCode: .validationFailed))
        #expect(body.message == "body.steps.0.run: field required")
        #expect(body.details?["errors"]?.arrayValue?.count == 1)
    }

    @Test(
        "bodies that are not error envelopes are not mistaken for one",
        arguments: [
            "", "not json", "[]", "{}", #"{"items": []}"#, #"{"error": 42}"#,
        ])
    func notAnEnvelope(_ text: String) {
        #expect(APIErrorBody.decode(from: Data(text.utf8)) == nil)
    }

    @Test("a decoding error names the field in wire form")
    func decodingErrorNamesField() throws {
        let json = #"{"name": "j", "steps": [{"name": "a", "run": 5}]}"#
        do {
            _ = try AutoGitJSON.decode(JobSpec.self, from: Data(json.utf8))
            Issue.record("decoding should fail")
        } catch let error as DecodingError {
            let core = CoreError.decoding(error)
            #expect(core.field == "steps[0].run")
            #expect(core.code == .validationFailed)
            #expect(core.message.contains("expected a string"))
        }
        do {
            _ = try AutoGitJSON.decode(JobSpec.self, from: Data("{not json".utf8))
            Issue.record("decoding should fail")
        } catch let error as DecodingError {
            #expect(CoreError.decoding(error).code == .invalidRequest)
        }
    }
}
