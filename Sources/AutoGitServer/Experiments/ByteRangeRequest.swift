import Foundation

/// What a `Range` header (RFC 9110 §14) asks of a representation of a known size.
///
/// Only single byte ranges are served: `bytes=0-1023`, `bytes=1024-`, `bytes=-512`. A header that is not a byte
/// range, is malformed, or lists several ranges is ignored (the whole content is sent), as the RFC allows.
enum ByteRangeRequest: Sendable, Equatable {
    /// Send everything (no usable `Range`).
    case whole
    /// Send these bytes (both bounds included) with 206.
    case partial(ClosedRange<Int64>)
    /// The range lies outside the content: 416 with `Content-Range: bytes */<size>`.
    case unsatisfiable

    init(header: String?, size: Int64) {
        guard let header else {
            self = .whole
            return
        }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        let isDigits = { (text: String) in !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard isDigits(last), let count = Int64(last) else {
                self = .whole
                return
            }
            guard count > 0, size > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(max(0, size - count)...(size - 1))
            return
        }
        guard isDigits(first), let start = Int64(first) else {
            self = .whole
            return
        }
        var end = size - 1
        if !last.isEmpty {
            guard isDigits(last), let value = Int64(last), value >= start else {
                self = .whole
                return
            }
            end = min(value, size - 1)
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        self = .partial(start...end)
    }
}

/// Entity-tag comparisons for `If-None-Match` and `If-Range` (RFC 9110 §8.8.3).
enum EntityTag {
    /// Whether an `If-None-Match` value (`*`, or a list of tags, weak or strong) matches `etag` (weak comparison).
    static func noneMatchHits(_ header: String, etag: String) -> Bool {
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return tags.contains { $0 == "*" || opaque($0) == opaque(etag) }
    }

    /// Whether an `If-Range` value lets the range apply: only a strong tag equal to `etag` does (a date never
    /// matches, since versions carry no modification time worth trusting for bytes).
    static func rangeApplies(_ header: String, etag: String) -> Bool {
        let value = header.trimmingCharacters(in: .whitespaces)
        return !value.hasPrefix("W/") && value == etag
    }

    private static func opaque(_ tag: String) -> String {
        tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
    }
}
