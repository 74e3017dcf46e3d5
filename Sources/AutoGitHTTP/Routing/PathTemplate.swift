/// A route path such as `/v1/runners/{id}/status` or `/v1/instances/{name}/proxy/{path...}`.
///
/// `{name}` matches one segment (percent-decoded into the parameter); a final `{name...}` matches the rest of the
/// path, possibly empty, kept percent-encoded so it can be forwarded as is. Empty segments are ignored on both sides.
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Hashable {
        case literal(String)
        case parameter(String)
        case catchAll(String)
    }

    let segments: [Segment]
    public let description: String

    public init(_ template: String) {
        precondition(template.hasPrefix("/"), "a path template starts with /: \(template)")
        var segments: [Segment] = []
        let parts = template.split(separator: "/")
        for (index, part) in parts.enumerated() {
            if part.hasPrefix("{") && part.hasSuffix("}") {
                let name = part.dropFirst().dropLast()
                if name.hasSuffix("...") {
                    precondition(index == parts.count - 1, "a catch-all {name...} must be the last segment: \(template)")
                    segments.append(.catchAll(String(name.dropLast(3))))
                } else {
                    segments.append(.parameter(String(name)))
                }
            } else {
                segments.append(.literal(String(part)))
            }
        }
        self.segments = segments
        self.description = template
    }

    /// Sorts more specific templates first: literals before parameters before catch-alls, segment by segment.
    func isMoreSpecific(than other: PathTemplate) -> Bool {
        for (left, right) in zip(segments, other.segments) where left.rank != right.rank {
            return left.rank > right.rank
        }
        return segments.count > other.segments.count
    }

    /// The parameters if `path` (split into raw segments) matches, else nil.
    func match(_ path: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        var index = 0
        for segment in segments {
            switch segment {
            case .literal(let literal):
                guard index < path.count, path[index] == literal else { return nil }
                index += 1
            case .parameter(let name):
                guard index < path.count else { return nil }
                parameters[name] = PercentDecoding.decode(path[index], plusAsSpace: false)
                index += 1
            case .catchAll(let name):
                parameters[name] = path[index...].joined(separator: "/")
                return parameters
            }
        }
        return index == path.count ? parameters : nil
    }
}

extension PathTemplate.Segment {
    fileprivate var rank: Int {
        switch self {
        case .literal: return 3
        case .parameter: return 2
        case .catchAll: return 1
        }
    }
}
