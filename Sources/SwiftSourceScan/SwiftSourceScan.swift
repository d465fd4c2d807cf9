import Foundation

/// What nbrun needs to know about a Swift file without compiling it: the modules it imports
/// and the types it declares conforming to a protocol. The build tools, the fingerprints and
/// the plugin compiler all read files through this one scanner. Line-based on purpose: a
/// declaration the scan misses fails the compile (the generated code names it) or
/// registration (a stage without source), never silently.
public enum SwiftSourceScan {
    /// Names after `import` (with any attributes or import kind) at the start of a line.
    public static func importedModules(in source: String) -> Set<String> {
        var modules: Set<String> = []
        for line in source.split(separator: "\n") {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
            while let first = words.first, first.hasPrefix("@") { words = words.dropFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            var name = words.dropFirst().first!
            let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
            if kinds.contains(name), words.count >= 3 { name = words.dropFirst(2).first! }
            modules.insert(String(name.prefix { $0 != "." && $0 != ";" }))
        }
        return modules
    }

    /// Top-level type names declared (at the start of a line) with `protocolName` in their
    /// conformance list, in file order.
    public static func types(conformingTo protocolName: String, in source: String) -> [String] {
        let modifiers: Set<Substring> = ["public", "internal", "package", "fileprivate", "private", "final"]
        var names: [String] = []
        for line in source.split(separator: "\n") where !line.hasPrefix(" ") && !line.hasPrefix("\t") {
            var words = line.split(separator: " ")[...]
            while let first = words.first, modifiers.contains(first) || first.hasPrefix("@") { words = words.dropFirst() }
            guard let keyword = words.first, ["struct", "class", "enum"].contains(keyword), words.count >= 2 else { continue }
            let afterKeyword = line[words[words.startIndex + 1].startIndex...]
            let name = afterKeyword.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard let colon = afterKeyword.firstIndex(of: ":") else { continue }
            let conformances = afterKeyword[afterKeyword.index(after: colon)...].prefix { $0 != "{" && $0 != "/" }
            let listed = conformances.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if !name.isEmpty, listed.contains(protocolName) { names.append(String(name)) }
        }
        return names
    }
}
