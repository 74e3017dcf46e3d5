import AutoGitCore
import Foundation

/// One API call before it is sent: method, path below the base URL, query, headers, body, and whether it may be
/// retried.
struct APIRequest: Sendable {
    var method: String
    /// The percent-encoded path, starting with `/`.
    var path: String
    var query: Query = Query()
    var headers = HTTPHeaders()
    var body: Data?
    /// Whether repeating the request is harmless. Defaults from the method; some POST and PATCH operations are
    /// declared safe by the API (heartbeats, status reports, log uploads).
    var isIdempotent: Bool
    /// Added to the configured timeout (a long poll's wait).
    var extraTimeout: Duration = .zero

    init(_ method: String, _ path: Path, query: Query = Query(), idempotent: Bool? = nil) {
        self.method = method
        self.path = path.encoded
        self.query = query
        self.isIdempotent = idempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)
    }

    /// A request with a JSON body.
    init(_ method: String, _ path: Path, query: Query = Query(), json: some Encodable, idempotent: Bool? = nil) throws(AutoGitError) {
        self.init(method, path, query: query, idempotent: idempotent)
        do {
            body = try AutoGitJSON.encoder().encode(json)
        } catch {
            throw AutoGitError.invalidRequest("Could not encode the request body: \(error)")
        }
        headers["Content-Type"] = "application/json"
    }
}

/// A path of segments, each percent-encoded on its own so an id with `/` or `?` stays one segment.
///
/// Deliberately not `ExpressibleByStringLiteral`: with it, `Path("metrics")` would be a literal coercion (the text
/// as it is, without its leading `/`) instead of a path of one segment.
struct Path: Sendable {
    var encoded: String

    init(_ segments: String...) {
        encoded = segments.map { "/" + Path.escape($0) }.joined()
    }

    /// Appends `rest` as it is, slashes kept (a proxied path); each segment is still escaped.
    func appending(raw rest: String) -> Path {
        var segments = rest.split(separator: "/", omittingEmptySubsequences: false).map { Path.escape(String($0)) }
        while segments.count > 1, segments.first == "" { segments.removeFirst() }
        var copy = self
        copy.encoded += "/" + segments.joined(separator: "/")
        return copy
    }

    static let segmentAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~!$'()*,;:@")
        return set
    }()

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? segment
    }
}

/// Query parameters in order; a list becomes the key repeated (`tags=a&tags=b`), and `nil` values are left out.
struct Query: Sendable {
    private(set) var items: [(name: String, value: String)] = []

    mutating func add(_ name: String, _ value: String?) {
        if let value { items.append((name, value)) }
    }

    mutating func add(_ name: String, _ value: Int?) {
        add(name, value.map(String.init))
    }

    /// A number as JSON writes it: whole numbers without a fraction (`40`), others in full (`79.5`).
    mutating func add(_ name: String, _ value: Double?) {
        add(name, value.map { $0.rounded() == $0 && abs($0) < 1e15 ? String(Int64($0)) : String($0) })
    }

    mutating func add(_ name: String, _ value: Bool?) {
        add(name, value.map { $0 ? "true" : "false" })
    }

    mutating func add(_ name: String, _ values: [String]?) {
        for value in values ?? [] { items.append((name, value)) }
    }

    mutating func add<Value: RawRepresentable>(_ name: String, _ value: Value?) where Value.RawValue == String {
        add(name, value?.rawValue)
    }

    mutating func add<Value: RawRepresentable>(_ name: String, _ values: [Value]?) where Value.RawValue == String {
        add(name, values?.map(\.rawValue))
    }

    var isEmpty: Bool { items.isEmpty }

    /// The query string without `?`, each name and value strictly percent-encoded (`+`, `&`, `=` included).
    var encoded: String {
        items.map { "\(Query.escape($0.name))=\(Query.escape($0.value))" }.joined(separator: "&")
    }

    static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~")
        return set
    }()

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
