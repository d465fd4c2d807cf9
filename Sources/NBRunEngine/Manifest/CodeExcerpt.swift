import Foundation

/// A manifest cell that brings library code into the report: `- code: Module/File.swift`
/// for a whole file, `- code: Module/File.swift#name` for one declaration (with its doc
/// comment and attributes). The text comes from the sources embedded at build time, so the
/// report shows the code nbrun was compiled from, and the cell's `fingerprint` (of the
/// code's tokens) changes exactly when that code does.
public struct CodeCell: Sendable, Equatable {
    /// As written in the manifest.
    public var reference: String
    public var text: String
    public var location: ManifestLocation

    /// SHA-256 of the code with comments and whitespace normalised, like a stage's code hash.
    public var fingerprint: String { FingerprintCalculator.codeHash(ofSource: text) }
}

/// Finds a file or a declaration in a module's embedded sources.
enum CodeExcerpt {
    /// The text of `file` (a file name) in a module's embedded text, which holds each file
    /// after a `// file: NAME` line.
    ///
    /// The standard library's search, not Foundation's: Foundation's goes through UTF-16 and
    /// is quadratic in a module's text that is not all ASCII (most of a cached run's time).
    static func file(_ file: String, inModuleText text: String) -> String? {
        let marker = "// file: \(file)\n"
        guard let start = text.firstRange(of: marker) else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.firstRange(of: "\n// file: ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The first declaration named `name` (func, init, var, let, struct, class, enum,
    /// protocol, extension, typealias, case), from its doc comment and attributes to its
    /// closing brace (or its line, when it has no body).
    static func declaration(_ name: String, in source: String) -> String? {
        let lines = source.components(separatedBy: "\n")
        let keywords: Set<Substring> = ["func", "init", "var", "let", "struct", "class", "enum", "protocol",
                                        "extension", "typealias", "case", "actor"]
        guard let index = lines.firstIndex(where: { line in
            let words = line.split(whereSeparator: { " \t(<:{".contains($0) })
            return zip(words, words.dropFirst()).contains { keywords.contains($0) && $1 == Substring(name) }
        }) else { return nil }
        var first = index
        while first > 0 {
            let previous = lines[first - 1].trimmingCharacters(in: .whitespaces)
            guard previous.hasPrefix("///") || previous.hasPrefix("@") else { break }
            first -= 1
        }
        var depth = 0, parentheses = 0, opened = false, last = index
        scan: for lineIndex in index..<lines.count {
            last = lineIndex
            for character in Self.code(of: lines[lineIndex]) {
                switch character {
                case "{": depth += 1; opened = true
                case "}": depth -= 1
                case "(": parentheses += 1
                case ")": parentheses -= 1
                default: break
                }
                if opened && depth == 0 { break scan }
            }
            // Without a body, a declaration ends with its line once its parentheses close.
            if !opened && parentheses <= 0 && !lines[lineIndex].hasSuffix(",") { break }
        }
        let indent = lines[first].prefix { $0 == " " }.count
        return lines[first...last].map { $0.hasPrefix(String(repeating: " ", count: indent)) ? String($0.dropFirst(indent)) : $0 }
            .joined(separator: "\n")
    }

    /// A line without its `//` comment and string literals, for counting braces.
    private static func code(of line: String) -> String {
        var result = "", inString = false, previous: Character = " "
        for character in line {
            if character == "\"" && previous != "\\" { inString.toggle(); previous = character; continue }
            if !inString && character == "/" && previous == "/" { result.removeLast(); break }
            if !inString { result.append(character) }
            previous = character
        }
        return result
    }
}
