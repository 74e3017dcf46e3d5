/// Checks a JSON value against the subset of JSON Schema (draft 2020-12) that AutoGit's own schemas use: `type`
/// (one or a list), `properties`, `required`, `additionalProperties` (false or a schema), `items`, `enum`,
/// `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`, `pattern` is not supported.
///
/// It exists so that a schema the server publishes (`GET /v1/config/schema`) is also what it enforces: one source,
/// no drift. Errors name the offending field as a dotted path (`rate_limits.authenticated_per_minute`).
public enum JSONSchemaValidator {
    /// Throws a ``CoreError`` with code `VALIDATION_FAILED` naming the first field that breaks `schema`.
    public static func validate(_ value: JSONValue, against schema: JSONValue, path: String = "") throws(CoreError) {
        let field = path.isEmpty ? "(document)" : path
        if let types = schema["type"] {
            let allowed = types.arrayValue?.compactMap(\.stringValue) ?? types.stringValue.map { [$0] } ?? []
            guard allowed.contains(where: { matches(value, type: $0) }) else {
                throw CoreError.invalid(field, "expected \(allowed.joined(separator: " or ")), found \(describe(value))")
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            let listed = options.map { $0.stringValue ?? "\($0)" }.joined(separator: ", ")
            throw CoreError.invalid(field, "must be one of \(listed)")
        }
        switch value {
        case .number(let number):
            if let minimum = schema["minimum"]?.doubleValue, number < minimum {
                throw CoreError.invalid(field, "must be at least \(format(minimum))")
            }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum {
                throw CoreError.invalid(field, "must be at most \(format(maximum))")
            }
        case .string(let text):
            if let minimum = schema["minLength"]?.doubleValue, Double(text.count) < minimum {
                throw CoreError.invalid(field, minimum == 1 ? "must not be empty" : "must be at least \(format(minimum)) characters")
            }
            if let maximum = schema["maxLength"]?.doubleValue, Double(text.count) > maximum {
                throw CoreError.invalid(field, "must be at most \(format(maximum)) characters")
            }
        case .array(let items):
            if let minimum = schema["minItems"]?.doubleValue, Double(items.count) < minimum {
                throw CoreError.invalid(field, "must have at least \(format(minimum)) items")
            }
            if let maximum = schema["maxItems"]?.doubleValue, Double(items.count) > maximum {
                throw CoreError.invalid(field, "must have at most \(format(maximum)) items")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    try validate(item, against: itemSchema, path: "\(path)[\(index)]")
                }
            }
        case .object(let members):
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                throw CoreError.invalid(join(path, name), "is required")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for name in members.keys.sorted() {
                let memberPath = join(path, name)
                if let propertySchema = properties[name] {
                    try validate(members[name]!, against: propertySchema, path: memberPath)
                } else if let additional = schema["additionalProperties"] {
                    if additional == .bool(false) {
                        throw CoreError.invalid(memberPath, "is not a known field")
                    } else if additional.objectValue != nil {
                        try validate(members[name]!, against: additional, path: memberPath)
                    }
                }
            }
        default:
            break
        }
    }

    private static func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .number):
            return true
        case ("integer", .number(let number)):
            return number.rounded() == number && number.isFinite
        default:
            return false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
