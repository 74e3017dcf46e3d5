import AutoGitCore
import Foundation

/// A change to commit to the ``DurableStore``: put a value under a key, or remove the key.
public struct StoreChange: Sendable, Equatable {
    public var collection: String
    public var key: String
    /// The stored bytes (JSON for everything the server writes), or nil to remove the key.
    public var value: [UInt8]?

    public static func put(_ collection: String, _ key: String, bytes: [UInt8]) -> StoreChange {
        StoreChange(collection: collection, key: key, value: bytes)
    }

    /// Puts `value` encoded as AutoGit JSON.
    public static func put(_ collection: String, _ key: String, _ value: some Encodable) throws -> StoreChange {
        StoreChange(collection: collection, key: key, value: Array(try AutoGitJSON.encode(value)))
    }

    public static func delete(_ collection: String, _ key: String) -> StoreChange {
        StoreChange(collection: collection, key: key, value: nil)
    }
}
