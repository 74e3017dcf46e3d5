/// A key for a value in `HTTPAttributes`: a type, so two modules can never collide on a string.
public protocol HTTPAttributeKey {
    associatedtype Value: Sendable
}

/// A typed bag that middleware fills for later middleware and handlers (request id, principal, rate-limit state…).
public struct HTTPAttributes: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: HTTPAttributeKey>(key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}
