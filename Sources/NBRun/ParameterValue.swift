import Foundation

/// A parameter value as written in the manifest or given by `--set`, once checked against
/// its declared kind. Every parameter type, built in or not, is carried as one of these.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    /// A string, or the word chosen for a `.choice` parameter.
    case string(String)
    case boolean(Bool)
    case path(String)
    case list([ParameterValue])
    /// An optional parameter left unset (e.g. no weights file to load).
    case none

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return value
        case .boolean(let value): return String(value)
        case .path(let value): return value
        case .list(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .none: return "none"
        }
    }
}

extension ParameterValue {
    /// Where a `.path` value points: `~` expands to the home folder and a relative path
    /// resolves against `base` (the manifest's folder). Plugins that take paths from
    /// elsewhere use this so that every path in a notebook means the same thing.
    public static func resolve(path: String, against base: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return URL(fileURLWithPath: expanded, relativeTo: base).standardizedFileURL
    }

    /// A stable text form with a type tag, used in fingerprints and records so that
    /// `1` (integer) and `1.0` (number) or `"true"` and `true` never collide. A list is its
    /// elements' forms as a JSON array, so a comma inside a string cannot split it.
    public var canonical: String {
        switch self {
        case .integer(let value): return "int:\(value)"
        case .number(let value): return "num:\(value)"
        case .string(let value): return "str:\(value)"
        case .boolean(let value): return "bool:\(value)"
        case .path(let value): return "path:\(value)"
        case .list(let values): return "list:" + Self.jsonArray(values.map(\.canonical))
        case .none: return "none"
        }
    }

    static func jsonArray(_ strings: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(strings)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
    }

    /// The readable text of a ``canonical`` form (`int:32` → `32`, a list → `[0, 10]`), for
    /// messages about records written by any version.
    public static func displayText(ofCanonical canonical: String) -> String {
        if canonical.hasPrefix("list:"),
           let elements = try? JSONDecoder().decode([String].self, from: Data(canonical.dropFirst(5).utf8)) {
            return "[" + elements.map(displayText(ofCanonical:)).joined(separator: ", ") + "]"
        }
        guard let colon = canonical.firstIndex(of: ":") else { return canonical }
        return String(canonical[canonical.index(after: colon)...])
    }

    /// The tag of a ``canonical`` form (`int`, `list`, …): what kind of value it was.
    public static func typeTag(ofCanonical canonical: String) -> String {
        String(canonical.prefix { $0 != ":" })
    }
}

extension ParameterKind {
    /// How the kind reads in error messages and `nbrun stages`.
    public var displayName: String {
        switch self {
        case .integer(let range?): return "integer in \(range.lowerBound)...\(range.upperBound)"
        case .integer(nil): return "integer"
        case .number(let range?): return "number in \(range.lowerBound)...\(range.upperBound)"
        case .number(nil): return "number"
        case .string: return "string"
        case .boolean: return "boolean (true or false)"
        case .path: return "path"
        case .list(.choice(let words)): return "list, each one of " + words.joined(separator: ", ")
        case .list(let element): return "list of \(element.displayName)"
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        case .custom(let kind): return kind.name
        }
    }

    public indirect enum ParseFailure: Error, Sendable, Equatable {
        case wrongType
        case outOfRange(String)
        /// A path written as nothing (or only blanks), which would resolve to the manifest's
        /// folder: far more often a typo or an unset shell variable than meant.
        case emptyPath
        /// A word that is not among a `.choice`'s words (listed).
        case notOneOf([String])
        /// A custom kind's own reason.
        case invalid(String)
        /// One element of a list (as written) is wrong.
        case element(String, ParseFailure)
    }

    /// The words that leave an optional parameter unset, for a path too ("no file").
    public static let noneSpellings: Set<String> = ["null", "~", "none"]

    /// Reads a value written as text (a YAML scalar or a `--set` value). `null`, `~` and
    /// `none` give `.none` only where the declaration allows it (`optional`); so does an
    /// empty value, except for a path, where it is refused (``ParseFailure/emptyPath``).
    /// A list is its elements separated by commas, optionally in brackets (`[]` is empty).
    public func parse(_ text: String, optional: Bool) -> Result<ParameterValue, ParseFailure> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if optional, Self.noneSpellings.contains(trimmed) { return .success(.none) }
        if self == .path, trimmed.isEmpty { return .failure(.emptyPath) }
        if optional, trimmed.isEmpty { return .success(.none) }
        switch self {
        case .integer(let range):
            guard let value = Int(trimmed) else { return .failure(.wrongType) }
            if let range, !range.contains(value) {
                return .failure(.outOfRange("\(range.lowerBound)...\(range.upperBound)"))
            }
            return .success(.integer(value))
        case .number(let range):
            guard let value = Double(trimmed), value.isFinite else { return .failure(.wrongType) }
            if let range, !range.contains(value) {
                return .failure(.outOfRange("\(range.lowerBound)...\(range.upperBound)"))
            }
            return .success(.number(value))
        case .string:
            return .success(.string(text))
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "yes", "on": return .success(.boolean(true))
            case "false", "no", "off": return .success(.boolean(false))
            default: return .failure(.wrongType)
            }
        case .path:
            guard !trimmed.isEmpty, !trimmed.contains("\0") else { return .failure(.wrongType) }
            return .success(.path(trimmed))
        case .list(let element):
            var inner = Substring(trimmed)
            if inner.hasPrefix("["), inner.hasSuffix("]"), inner.count >= 2 { inner = inner.dropFirst().dropLast() }
            guard !inner.trimmingCharacters(in: .whitespaces).isEmpty else { return .success(.list([])) }
            return Self.parseElements(inner.split(separator: ",", omittingEmptySubsequences: false).map(String.init), of: element)
        case .choice(let words):
            guard words.contains(trimmed) else { return .failure(.notOneOf(words)) }
            return .success(.string(trimmed))
        case .custom(let kind):
            return kind.parse(trimmed)
        }
    }

    /// Reads the elements of a list, each as its element kind would read it alone.
    public static func parseElements(_ items: [String], of element: ParameterKind) -> Result<ParameterValue, ParseFailure> {
        var values: [ParameterValue] = []
        for item in items {
            switch element.parse(item, optional: false) {
            case .success(let value): values.append(value)
            case .failure(let failure): return .failure(.element(item.trimmingCharacters(in: .whitespaces), failure))
            }
        }
        return .success(.list(values))
    }
}
