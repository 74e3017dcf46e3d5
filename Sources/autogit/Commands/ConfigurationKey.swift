import AutoGitCore
import Foundation

/// Dotted keys into the configuration document (`rate_limits.enabled`), for `config get` and `config set`.
enum ConfigurationKey {
    /// The value at a dotted key, or nil when some part is missing.
    static func value(at key: String, in document: JSONValue) -> JSONValue? {
        var current: JSONValue? = document
        for part in key.split(separator: ".") {
            current = current?[String(part)]
        }
        return current
    }

    /// `document` with the dotted `key` set to `value`, creating objects along the way.
    static func setting(_ key: String, to value: JSONValue, in document: JSONValue) -> JSONValue {
        let parts = key.split(separator: ".").map(String.init)
        func set(_ parts: ArraySlice<String>, in node: JSONValue) -> JSONValue {
            guard let first = parts.first else { return value }
            var object = node.objectValue ?? [:]
            object[first] = set(parts.dropFirst(), in: object[first] ?? .object([:]))
            return .object(object)
        }
        return set(parts[...], in: document)
    }

    /// A command-line value: JSON when it parses as JSON (`5`, `true`, `null`, `["a"]`), else the text itself.
    static func parseValue(_ text: String) -> JSONValue {
        if let value = try? AutoGitJSON.decode(JSONValue.self, from: Data(text.utf8)) { return value }
        return .string(text)
    }

    /// Every leaf as a dotted key and its display text, sorted by key.
    static func flatten(_ value: JSONValue, prefix: String = "") -> [(key: String, value: String)] {
        guard case .object(let object) = value, !object.isEmpty else { return prefix.isEmpty ? [] : [(prefix, display(value))] }
        return object.keys.sorted().flatMap { key in
            flatten(object[key] ?? .null, prefix: prefix.isEmpty ? key : prefix + "." + key)
        }
    }

    /// A value as people read it: strings bare, everything else as compact JSON.
    static func display(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return (try? AutoGitJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}
