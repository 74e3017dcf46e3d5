import AutoGitCore
import Foundation
import Testing

@testable import AutoGitServer

@Suite("Tokens, sessions and access rules")
struct AuthTests {
    let directory = TemporaryDirectory()
    let clock = TestClock()

    @Test("a token authenticates by its secret, which is never stored")
    func tokenSecretNotStored() async throws {
        let store = try DurableStore(directory: directory.path)
        let tokens = TokenStore(store: store)
        let created = try await tokens.create(name: "ci", role: .operator)
        let secret = try #require(created.token)
        #expect(secret.hasPrefix("agt_"))
        #expect(await tokens.authenticate(secret)?.role == .operator)
        #expect(await tokens.authenticate(secret + "x") == nil)
        await store.close()
        for file in directory.files() {
            let bytes = try #require(FileManager.default.contents(atPath: directory.path + "/" + file))
            #expect(!String(decoding: bytes, as: UTF8.self).contains(secret))
        }
        let reopened = TokenStore(store: try DurableStore(directory: directory.path))
        #expect(await reopened.authenticate(secret)?.id == created.id)
        #expect(await reopened.list(limit: 10, offset: 0).items.allSatisfy { $0.token == nil })
    }

    @Test("expired and revoked tokens no longer authenticate")
    func expiryAndRevocation() async throws {
        let clock = self.clock
        let tokens = TokenStore(store: try DurableStore(directory: directory.path), now: { clock.now })
        let short = try #require(try await tokens.create(name: "short", role: .viewer, expiresIn: 60).token)
        let revoked = try await tokens.create(name: "gone", role: .viewer)
        clock.advance(61)
        #expect(await tokens.authenticate(short) == nil)
        try await tokens.revoke(revoked.id)
        #expect(await tokens.authenticate(try #require(revoked.token)) == nil)
        await #expect { try await tokens.revoke(revoked.id) } throws: { error in (error as? ServerError)?.status == 404 }
    }

    @Test("login checks the password hash and issues a JWT that authenticates until it expires")
    func login() throws {
        let sessions = try SessionIssuer(dataDirectory: directory.path)
        let users = [
            ServerConfiguration.User(
                username: "ann", passwordHash: PasswordHash(password: "s3cret", iterations: 1000).encoded, role: .operator)
        ]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let session = try sessions.login(LoginRequest(username: "ann", password: "s3cret"), users: users, ttl: 3600, now: now)
        #expect(session.expiresAt == now.addingTimeInterval(3600))
        let principal = try #require(sessions.authenticate(session.token, now: now.addingTimeInterval(10)))
        #expect(principal.role == .operator && principal.id == "ann")
        #expect(sessions.authenticate(session.token, now: now.addingTimeInterval(3700)) == nil)
        for wrong in [LoginRequest(username: "ann", password: "nope"), LoginRequest(username: "bob", password: "s3cret")] {
            #expect {
                _ = try sessions.login(wrong, users: users, ttl: 3600, now: now)
            } throws: { error in
                (error as? ServerError)?.status == 401 && (error as? ServerError)?.message == "Invalid username or password"
            }
        }
        // The signing key survives a restart, so sessions do too.
        let again = try SessionIssuer(dataDirectory: directory.path)
        #expect(again.authenticate(session.token, now: now.addingTimeInterval(10)) != nil)
    }

    static let runnerToken = Principal(kind: .apiToken, id: "t1", name: "agent", role: .runner, runnerID: "runner-1")
    static let registrationToken = Principal(kind: .apiToken, id: "t2", name: "reg", role: .runner)
    static func user(_ role: Role) -> Principal { Principal(kind: .apiToken, id: role.rawValue, name: role.rawValue, role: role) }

    /// Each role against each class of route: whether it is let through.
    static let matrix: [(rule: AccessRule, principal: Principal?, allowed: Bool)] = [
        (.open, nil, true),
        (.read, nil, false), (.read, user(.viewer), true), (.read, user(.operator), true), (.read, user(.admin), true),
        (.read, runnerToken, false),
        (.write, user(.viewer), false), (.write, user(.operator), true), (.write, user(.admin), true), (.write, runnerToken, false),
        (.admin, user(.viewer), false), (.admin, user(.operator), false), (.admin, user(.admin), true), (.admin, runnerToken, false),
        (.runnerAgent, runnerToken, true), (.runnerAgent, registrationToken, false), (.runnerAgent, user(.viewer), false),
        (.runnerAgent, user(.operator), true),
        (.jobAgent, runnerToken, true), (.jobAgent, registrationToken, false), (.jobAgent, user(.viewer), false),
        (.registration, registrationToken, true), (.registration, runnerToken, false), (.registration, user(.viewer), false),
        (.registration, user(.admin), true),
    ]

    @Test("the access matrix: 401 without a principal, 403 when the role does not reach", arguments: matrix)
    func accessMatrix(rule: AccessRule, principal: Principal?, allowed: Bool) {
        do {
            try rule.authorize(principal, runnerID: "runner-1")
            #expect(allowed)
        } catch {
            #expect(!allowed)
            #expect(error.status == (principal == nil ? 401 : 403))
        }
    }

    @Test("a runner token reaches only its own runner")
    func ownRunnerOnly() {
        #expect(throws: ServerError.self) { try AccessRule.runnerAgent.authorize(Self.runnerToken, runnerID: "runner-2") }
    }
}
