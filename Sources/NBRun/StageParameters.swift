import Foundation

/// A stage's resolved parameters. Accessors trap on an undeclared name or a mismatched
/// type: the manifest was validated against the stage's declarations, so either is a
/// programming error in the stage, not bad user input.
public struct StageParameters: Sendable {
    public let values: [String: ParameterValue]
    /// Relative `.path` values resolve against this folder (the manifest's).
    public let baseDirectory: URL

    public init(_ values: [String: ParameterValue], baseDirectory: URL) {
        self.values = values
        self.baseDirectory = baseDirectory
    }

    public subscript(name: String) -> ParameterValue {
        guard let value = values[name] else {
            preconditionFailure("stage asked for undeclared parameter '\(name)'")
        }
        return value
    }

    public func int(_ name: String) -> Int {
        guard case .integer(let value) = self[name] else { mismatch(name, "an integer") }
        return value
    }

    public func double(_ name: String) -> Double {
        switch self[name] {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: mismatch(name, "a number")
        }
    }

    public func string(_ name: String) -> String {
        switch self[name] {
        case .string(let value), .path(let value): return value
        default: mismatch(name, "a string")
        }
    }

    public func bool(_ name: String) -> Bool {
        guard case .boolean(let value) = self[name] else { mismatch(name, "a boolean") }
        return value
    }

    /// A `.path` parameter resolved against the manifest's folder; nil when left unset.
    public func url(_ name: String) -> URL? {
        switch self[name] {
        case .path(let path): return ParameterValue.resolve(path: path, against: baseDirectory)
        case .none: return nil
        default: mismatch(name, "a path")
        }
    }

    private func mismatch(_ name: String, _ expected: String) -> Never {
        preconditionFailure("parameter '\(name)' is \(self[name]), not \(expected)")
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
    /// `1` (integer) and `1.0` (number) or `"true"` and `true` never collide.
    public var canonical: String {
        switch self {
        case .integer(let value): return "int:\(value)"
        case .number(let value): return "num:\(value)"
        case .string(let value): return "str:\(value)"
        case .boolean(let value): return "bool:\(value)"
        case .path(let value): return "path:\(value)"
        case .none: return "none"
        }
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
        }
    }

    public enum ParseFailure: Error, Sendable {
        case wrongType
        case outOfRange(String)
        /// A path written as nothing (or only blanks), which would resolve to the manifest's
        /// folder: far more often a typo or an unset shell variable than meant.
        case emptyPath
    }

    /// The words that leave an optional parameter unset, for a path too ("no file").
    public static let noneSpellings: Set<String> = ["null", "~", "none"]

    /// Reads a value written as text (a YAML scalar or a `--set` value). `null`, `~` and
    /// `none` give `.none` only where the declaration allows it (default `.none`); so does
    /// an empty value, except for a path, where it is refused (``ParseFailure/emptyPath``).
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
        }
    }
}
