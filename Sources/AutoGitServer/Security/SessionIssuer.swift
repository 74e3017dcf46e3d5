import AutoGitCore
import Foundation

/// Login sessions: users from the configuration log in with a password and receive an HS256 JWT that expires.
///
/// The signing key is made on the first start and kept in the data directory (`session.key`, mode 0600), so
/// sessions survive a restart; deleting the file signs everyone out.
public struct SessionIssuer: Sendable {
    private let signer: JWTSigner

    public init(dataDirectory: String) throws(ServerError) {
        let path = dataDirectory + "/session.key"
        var key: [UInt8]
        if let data = FileManager.default.contents(atPath: path), data.count >= 32 {
            key = Array(data)
        } else {
            key = SecureRandom.bytes(count: 64)
            try DurableFile.writeAtomically(key, to: path)
        }
        do {
            signer = try JWTSigner(key: key)
        } catch {
            throw .storeCorrupted("session.key in \(dataDirectory) is not usable: \(error.message)")
        }
    }

    /// Checks `request` against the configured users; 401 `AUTHENTICATION_FAILED` with one message for an unknown
    /// user and a wrong password alike, so the answer does not reveal which usernames exist.
    public func login(
        _ request: LoginRequest, users: [ServerConfiguration.User], ttl: Int, now: Date = Date()
    )
        throws(ServerError) -> SessionToken
    {
        let user = users.first { $0.username == request.username }
        // Hash even for an unknown user so both paths take the same time.
        let encoded = user?.passwordHash ?? Self.decoyHash
        let matches = (try? PasswordHash.verify(password: request.password, encoded: encoded)) ?? false
        guard let user, user.passwordHash != nil, matches else {
            throw ServerError(.authenticationFailed, status: 401, "Invalid username or password")
        }
        return issue(username: user.username, role: user.role, ttl: ttl, now: now)
    }

    /// A fresh session for the holder of a valid one.
    public func refresh(_ principal: Principal, ttl: Int, now: Date = Date()) -> SessionToken {
        issue(username: principal.id, role: principal.role, ttl: ttl, now: now)
    }

    /// The principal of a session JWT, or nil when it is not one of ours or has expired.
    public func authenticate(_ token: String, now: Date = Date()) -> Principal? {
        guard let claims = try? signer.verify(token, at: now), let subject = claims.subject,
            let role = claims.role.map(Role.init(rawValue:))
        else { return nil }
        return Principal(kind: .session, id: subject, name: subject, role: role)
    }

    private func issue(username: String, role: Role, ttl: Int, now: Date) -> SessionToken {
        let expires = now.addingTimeInterval(TimeInterval(ttl))
        let claims = JWTClaims(
            subject: username, role: role.rawValue, issuedAt: now, expiresAt: expires, id: Fleet.newID("ses-"))
        return SessionToken(token: signer.sign(claims), expiresAt: expires, role: role)
    }

    /// A valid hash of a random password, verified when the username is unknown.
    private static let decoyHash = PasswordHash(password: Fleet.newID("decoy-"), iterations: 100_000).encoded
}
