extension CoreError {
    /// A validation error naming the field a `DecodingError` points at, in the wire's snake_case dotted form
    /// (`requirements.gpu.count`, `steps[0].run`).
    public static func decoding(_ error: DecodingError) -> CoreError {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text
        }
        switch error {
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field.isEmpty ? "body" : field, "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .invalid(field.isEmpty ? "body" : field, "expected \(describe(type)), found null")
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalid(field, "is required")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return CoreError(.invalidRequest, "The body is not valid JSON", field: nil)
            }
            return .invalid(field, context.debugDescription)
        @unknown default:
            return CoreError(.invalidRequest, "The body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int32.Type, is Int64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array")
                ? "an array" : (String(describing: type).hasPrefix("Dictionary") ? "an object" : "a value of type \(type)")
        }
    }
}
