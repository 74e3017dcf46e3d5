import AutoGitClient
import Foundation

/// The operations of Docs/openapi.yaml, read at test time so the tests always check the contract as it is now.
///
/// The YAML is machine-formatted with a fixed layout (two-space indents, parameters as one-line `$ref`s), so a
/// small line reader is enough: paths at indent 2, methods at 4, an operation's keys at 6, its parameters at 8.
/// It reads what request building needs: method, path template, parameter names and places, request body media
/// types, and the success statuses with their JSON schema.
struct OpenAPIContract: Sendable {
    struct Parameter: Hashable, Sendable {
        var name: String
        /// `path`, `query` or `header`.
        var location: String
    }

    struct Operation: Sendable, CustomStringConvertible {
        var id: String
        var method: String
        var path: String
        var parameters: [Parameter] = []
        /// Media types of the request body; empty when the operation takes none.
        var requestContentTypes: [String] = []
        var requestBodyRequired = false
        /// `200`, `201`, `204` … mapped to the JSON schema of the answer (nil when it has no JSON body).
        var successes: [String: String?] = [:]
        /// Whether the operation declares `security: []` (no credentials needed).
        var isPublic = false

        var description: String { "\(method) \(path) (\(id))" }

        func parameters(in location: String) -> Set<String> {
            Set(parameters.filter { $0.location == location }.map(\.name))
        }

        /// The schema of the first success status that has a JSON body.
        var successSchema: String? {
            successes.keys.sorted().lazy.compactMap { successes[$0] ?? nil }.first
        }
    }

    var operations: [Operation]

    static let shared: OpenAPIContract = {
        let text = (try? String(contentsOf: repositoryRoot.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)) ?? ""
        return OpenAPIContract(yaml: text)
    }()

    init(yaml: String) {
        let lines = yaml.components(separatedBy: "\n")
        // components/parameters: reference name -> (name, in)
        var parameterRefs: [String: Parameter] = [:]
        var inParameters = false
        var current: String?
        var name: String?
        for line in lines {
            if line.hasPrefix("  ") && !line.hasPrefix("   ") {
                inParameters = line == "  parameters:"
                continue
            }
            guard inParameters else { continue }
            if let key = Self.key(line, indent: 4) {
                current = key
                name = nil
            } else if let value = Self.value(line, key: "name", indent: 6) {
                name = value
            } else if let value = Self.value(line, key: "in", indent: 6), let current, let name {
                parameterRefs[current] = Parameter(name: name, location: value)
            }
        }

        var operations: [Operation] = []
        var path: String?
        var pathParameters: [Parameter] = []
        var operation: Operation?
        var section = ""
        var status: String?
        var inPaths = false
        func flush() {
            if let done = operation { operations.append(done) }
            operation = nil
        }
        for line in lines {
            if line == "paths:" {
                inPaths = true
                continue
            }
            if inPaths, !line.isEmpty, !line.hasPrefix(" ") {
                flush()
                break
            }
            guard inPaths else { continue }
            if let key = Self.key(line, indent: 2) {
                flush()
                path = key
                pathParameters = []
                section = "path"
                continue
            }
            if let key = Self.key(line, indent: 4) {
                flush()
                section = key == "parameters" ? "path-parameters" : ""
                if ["get", "post", "put", "patch", "delete", "head", "options"].contains(key), let path {
                    operation = Operation(id: "", method: key.uppercased(), path: path, parameters: pathParameters)
                }
                continue
            }
            if section == "path-parameters", let reference = Self.parameterReference(line, indent: 6),
                let parameter = parameterRefs[reference]
            {
                pathParameters.append(parameter)
                continue
            }
            guard operation != nil else { continue }
            if let value = Self.value(line, key: "operationId", indent: 6) {
                operation?.id = value
            } else if Self.value(line, key: "security", indent: 6) == "[]" {
                operation?.isPublic = true
            } else if let key = Self.key(line, indent: 6) {
                section = key
            } else if Self.keyValueStart(line, indent: 6) != nil {
                section = ""
            } else if section == "parameters", let reference = Self.parameterReference(line, indent: 8),
                let parameter = parameterRefs[reference]
            {
                operation?.parameters.append(parameter)
            } else if section == "requestBody" {
                if Self.value(line, key: "required", indent: 8) == "true" { operation?.requestBodyRequired = true }
                if let type = Self.key(line, indent: 10) {
                    operation?.requestContentTypes.append(type.trimmingCharacters(in: CharacterSet(charactersIn: "'")))
                }
            } else if section == "responses" {
                if let key = Self.key(line, indent: 8) ?? Self.keyValueStart(line, indent: 8) {
                    let code = key.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                    status = code.hasPrefix("2") || code == "304" ? code : nil
                    if let status { operation?.successes[status] = .some(nil) }
                } else if let status, line.hasPrefix(String(repeating: " ", count: 14) + "schema: {$ref: '#/components/schemas/"),
                    operation?.successes[status] == .some(nil)
                {
                    let schema = line.split(separator: "/").last.map { String($0.prefix { $0 != "'" }) }
                    operation?.successes[status] = schema
                }
            }
        }
        self.operations = operations
    }

    /// `    key:` with nothing after the colon, at exactly `indent` spaces.
    private static func key(_ line: String, indent: Int) -> String? {
        let prefix = String(repeating: " ", count: indent)
        guard line.hasPrefix(prefix), line.hasSuffix(":") else { return nil }
        let rest = line.dropFirst(indent).dropLast()
        guard let first = rest.first, first != " ", first != "-", !rest.contains(": ") else { return nil }
        return String(rest)
    }

    /// The key of `    '200': {$ref: ...}` at exactly `indent` spaces.
    private static func keyValueStart(_ line: String, indent: Int) -> String? {
        let prefix = String(repeating: " ", count: indent)
        guard line.hasPrefix(prefix), let first = line.dropFirst(indent).first, first != " ", first != "-" else { return nil }
        let rest = line.dropFirst(indent)
        guard let colon = rest.range(of: ": ") else { return nil }
        return String(rest[..<colon.lowerBound])
    }

    /// The value of `    key: value` at exactly `indent` spaces.
    private static func value(_ line: String, key: String, indent: Int) -> String? {
        let prefix = String(repeating: " ", count: indent) + key + ": "
        guard line.hasPrefix(prefix) else { return nil }
        return String(line.dropFirst(prefix.count))
    }

    /// `X` of `      - {$ref: '#/components/parameters/X'}`.
    private static func parameterReference(_ line: String, indent: Int) -> String? {
        let prefix = String(repeating: " ", count: indent) + "- {$ref: '#/components/parameters/"
        guard line.hasPrefix(prefix) else { return nil }
        return String(line.dropFirst(prefix.count).prefix { $0 != "'" })
    }

    /// The operation a request is for: its method and a path template matching its path, the template with the
    /// most literal segments winning (`/v1/gpus/available` over `/v1/gpus/{id}`).
    func operation(for request: HTTPRequestData) -> Operation? {
        let segments = Self.segments(of: request.url)
        var best: (operation: Operation, literals: Int)?
        for operation in operations where operation.method == request.method {
            guard let literals = Self.match(template: operation.path, segments: segments) else { continue }
            if best == nil || literals > best!.literals { best = (operation, literals) }
        }
        return best?.operation
    }

    /// The request's path segments, each still percent-encoded (so `%2F` inside an id stays inside its segment).
    static func segments(of url: URL) -> [String] {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? ""
        return path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    /// The number of literal segments when `template` matches, or nil. A final `{path}` takes the rest of the path.
    private static func match(template: String, segments: [String]) -> Int? {
        let parts = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var literals = 0
        for (index, part) in parts.enumerated() {
            if part == "{path}", index == parts.count - 1 {
                return segments.count > index ? literals : nil
            }
            guard index < segments.count else { return nil }
            if part.hasPrefix("{") {
                if segments[index].isEmpty { return nil }
            } else if segments[index].removingPercentEncoding != part {
                return nil
            } else {
                literals += 1
            }
        }
        return parts.count == segments.count ? literals : nil
    }

    /// What in `request` the contract does not allow: an unknown operation, an undeclared query parameter or
    /// header, a body where none is taken or with another media type, a missing required body.
    func problems(with request: HTTPRequestData) -> [String] {
        guard let operation = operation(for: request) else {
            return ["no operation in Docs/openapi.yaml for \(request.method) \(request.target)"]
        }
        var problems: [String] = []
        let queryNames = (URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map(\.name)
        for name in Set(queryNames).subtracting(operation.parameters(in: "query")) {
            problems.append("\(operation): query parameter `\(name)` is not in the contract")
        }
        let declaredHeaders = Set(operation.parameters(in: "header").map { $0.lowercased() })
        for field in request.headers where Self.parameterHeaders.contains(field.name.lowercased()) {
            if !declaredHeaders.contains(field.name.lowercased()) {
                problems.append("\(operation): header `\(field.name)` is not in the contract")
            }
        }
        if let body = request.body, !body.isEmpty {
            let mediaType = request.headers["Content-Type"]?.split(separator: ";").first.map(String.init) ?? "(none)"
            if operation.requestContentTypes.isEmpty {
                problems.append("\(operation): sends a body but the contract takes none")
            } else if !operation.requestContentTypes.contains(mediaType) && !operation.requestContentTypes.contains("*/*") {
                problems.append("\(operation): body sent as \(mediaType), contract takes \(operation.requestContentTypes)")
            }
        } else if operation.requestBodyRequired {
            problems.append("\(operation): the contract requires a body")
        }
        return problems
    }

    /// Headers that are operation parameters somewhere in the contract; any of them a request sends must be
    /// declared by its operation.
    static let parameterHeaders: Set<String> = ["last-event-id", "range", "if-range", "if-none-match"]
}

/// The repository's root, found from this file's place in it.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
