import AutoGitCore
import Foundation

/// API tokens: created with a secret shown once, stored only as the secret's SHA-256 hash, looked up by that hash.
///
/// A lookup by hash does not leak the secret through timing: an attacker would have to find inputs whose hashes
/// share prefixes with a stored one. The hash is then compared in constant time anyway, which costs nothing.
public actor TokenStore {
    struct StoredToken: Codable, Sendable {
        var token: APIToken
        var secretHash: String

        enum CodingKeys: String, CodingKey {
            case token
            case secretHash = "secret_hash"
        }
    }

    static let collection = "tokens"
    /// `last_used_at` is written back at most this often per token, so reads do not turn into disk writes.
    static let lastUsedResolution: TimeInterval = 60

    private let store: DurableStore
    private let now: @Sendable () -> Date
    private var tokens: [String: StoredToken] = [:]
    private var idsByHash: [String: String] = [:]

    public init(store: DurableStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
        tokens = store.decodedValues(in: Self.collection, as: StoredToken.self)
        for (id, stored) in tokens { idsByHash[stored.secretHash] = id }
    }

    public var isEmpty: Bool { tokens.isEmpty }

    /// Creates a token and returns its record with the secret in `token` (shown once, never stored).
    public func create(
        name: String, role: Role, expiresIn: Int? = nil, runnerID: String? = nil
    ) async throws(ServerError) -> APIToken {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 128 else {
            throw ServerError(.validationFailed, status: 422, "name: must be 1 to 128 characters", details: ["field": "name"])
        }
        if case .unknown(let value) = role {
            throw ServerError(
                .validationFailed, status: 422, "role: '\(value)' is not one of admin, operator, viewer, runner",
                details: ["field": "role"])
        }
        if let expiresIn, expiresIn < 60 || expiresIn > 10 * 365 * 86_400 {
            throw ServerError(
                .validationFailed, status: 422, "expires_in: must be between 60 seconds and 10 years",
                details: ["field": "expires_in"])
        }
        let secret = SecureRandom.apiToken()
        let created = now()
        let record = APIToken(
            id: Fleet.newID("tok-"), name: trimmed, role: role, runnerID: runnerID, prefix: String(secret.prefix(8)),
            createdAt: created, expiresAt: expiresIn.map { created.addingTimeInterval(TimeInterval($0)) })
        let stored = StoredToken(token: record, secretHash: SHA256.hexDigest(secret))
        tokens[record.id] = stored
        idsByHash[stored.secretHash] = record.id
        try await commit(stored)
        var shown = record
        shown.token = secret
        return shown
    }

    /// The principal a secret belongs to, or nil when it is unknown or expired.
    public func authenticate(_ secret: String) async -> Principal? {
        let hash = SHA256.hexDigest(secret)
        guard let id = idsByHash[hash], var stored = tokens[id], ConstantTime.equals(stored.secretHash, hash) else {
            return nil
        }
        let current = now()
        if let expiresAt = stored.token.expiresAt, expiresAt <= current { return nil }
        if stored.token.lastUsedAt.map({ current.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            stored.token.lastUsedAt = current
            tokens[id] = stored
            try? await commit(stored)
        }
        let token = stored.token
        return Principal(kind: .apiToken, id: token.id, name: token.name, role: token.role, runnerID: token.runnerID)
    }

    /// One page of token records (without secrets), oldest first, of one `role` when given.
    public func list(role: Role? = nil, limit: Int, offset: Int) -> Page<APIToken> {
        let sorted = tokens.values.map(\.token).filter { role == nil || $0.role == role }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        return Page(slicing: sorted, limit: limit, offset: offset)
    }

    public func revoke(_ id: String) async throws(ServerError) {
        guard let stored = tokens.removeValue(forKey: id) else {
            throw ServerError(.tokenNotFound, status: 404, "Token '\(id)' not found", details: ["token_id": .string(id)])
        }
        idsByHash[stored.secretHash] = nil
        try await store.commit(.delete(Self.collection, id))
    }

    /// Revokes every token bound to a runner (the runner was deleted or re-registered).
    public func revokeTokens(ofRunner runnerID: String) async throws(ServerError) {
        let ids = tokens.values.filter { $0.token.runnerID == runnerID }.map(\.token.id)
        for id in ids { try await revoke(id) }
    }

    private func commit(_ stored: StoredToken) async throws(ServerError) {
        do {
            try await store.commit(try StoreChange.put(Self.collection, stored.token.id, stored))
        } catch let error as ServerError {
            throw error
        } catch {
            throw .storeUnavailable("cannot encode token: \(error)")
        }
    }
}
