import AutoGitCore
import Testing

@Suite("Crypto errors")
struct CryptoErrorTests {
    @Test("codes are stable strings in the module's ErrorCode vocabulary")
    func stableCodes() {
        let codes: [ErrorCode: String] = [
            .jwtMalformed: "JWT_MALFORMED",
            .jwtAlgorithmUnsupported: "JWT_ALGORITHM_UNSUPPORTED",
            .jwtSignatureInvalid: "JWT_SIGNATURE_INVALID",
            .jwtExpired: "JWT_EXPIRED",
            .jwtNotYetValid: "JWT_NOT_YET_VALID",
            .keyTooShort: "KEY_TOO_SHORT",
            .passwordHashMalformed: "PASSWORD_HASH_MALFORMED",
            .webhookSignatureMissing: "WEBHOOK_SIGNATURE_MISSING",
            .webhookSignatureMalformed: "WEBHOOK_SIGNATURE_MALFORMED",
            .webhookSignatureMismatch: "WEBHOOK_SIGNATURE_MISMATCH",
            .webhookSignatureExpired: "WEBHOOK_SIGNATURE_EXPIRED",
        ]
        for (code, text) in codes {
            #expect(code.rawValue == text)
        }
    }

    @Test("the description is the code and the message")
    func description() {
        let error = CryptoError(.jwtExpired, "token expired at 2024-01-15T10:30:00Z")
        #expect(error.description == "JWT_EXPIRED: token expired at 2024-01-15T10:30:00Z")
        #expect(error == CryptoError("JWT_EXPIRED", "token expired at 2024-01-15T10:30:00Z"))
    }
}

/// The code of the ``CryptoError`` that `body` throws, or `nil` when it throws nothing. Any other error is
/// recorded as a test failure.
func errorCode<Result>(of body: () throws -> Result) -> ErrorCode? {
    do {
        _ = try body()
        return nil
    } catch let error as CryptoError {
        return error.code
    } catch {
        Issue.record("expected a CryptoError, got \(error)")
        return nil
    }
}
