/// Highlights Swift source for the page: a small tokenizer, not a parser. It knows what
/// a reader's eye needs (comments, string literals with their interpolations, numbers,
/// keywords, attributes, type names) and escapes every token, so the code of a stage can
/// never produce markup of its own.
///
/// A library would have to be JavaScript (and run in the reader's browser) or a Swift
/// package that is not available here (swift-syntax's parser is far heavier than this).
enum SwiftHighlighter {
    static let keywords: Set<String> = [
        "actor", "any", "as", "associatedtype", "async", "await", "break", "case", "catch", "class",
        "continue", "default", "defer", "deinit", "do", "else", "enum", "extension", "fallthrough",
        "false", "fileprivate", "final", "for", "func", "guard", "if", "import", "in", "indirect", "init",
        "inout", "internal", "is", "lazy", "let", "mutating", "nil", "nonisolated", "nonmutating",
        "open", "operator", "override", "private", "protocol", "public", "repeat", "rethrows", "return",
        "self", "Self", "some", "static", "struct", "subscript", "super", "switch", "throw", "throws",
        "true", "try", "typealias", "var", "weak", "where", "while", "consuming", "borrowing", "sending",
        "convenience", "required", "unowned", "get", "set", "willSet", "didSet",
    ]

    static func highlight(_ source: String) -> String {
        var scanner = Scanner(Array(source.unicodeScalars))
        return scanner.code(until: nil)
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        /// Interpolations inside strings inside interpolations: bounded so that hostile
        /// source cannot exhaust the stack (beyond it, the rest is shown unhighlighted).
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        func text(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }

        func span(_ kind: String, _ range: Range<Int>) -> String {
            "<span class=\"\(kind)\">" + HTMLText.escaped(text(range)) + "</span>"
        }

        /// Code up to an unbalanced `)` when inside an interpolation (`closing` is ")"), or to the end.
        mutating func code(until closing: Unicode.Scalar?) -> String {
            var html = ""
            var parentheses = 0
            while let scalar = peek() {
                let start = index
                if scalar == "/" && peek(1) == "/" {
                    while let next = peek(), next != "\n" { index += 1 }
                    html += span("com", start..<index)
                } else if scalar == "/" && peek(1) == "*" {
                    index += 2
                    var nesting = 1
                    while nesting > 0, let next = peek() {
                        if next == "/" && peek(1) == "*" { nesting += 1; index += 2 } else if next == "*" && peek(1) == "/" { nesting -= 1; index += 2 } else { index += 1 }
                    }
                    html += span("com", start..<index)
                } else if scalar == "\"" || (scalar == "#" && (peek(1) == "\"" || (peek(1) == "#" && rawStringAhead()))) {
                    html += string()
                } else if scalar == "@" && peek(1).map(isIdentifierStart) == true {
                    index += 1
                    while let next = peek(), isIdentifierPart(next) { index += 1 }
                    html += span("attr", start..<index)
                } else if scalar == "#" && peek(1).map(isIdentifierStart) == true {
                    index += 1
                    while let next = peek(), isIdentifierPart(next) { index += 1 }
                    html += span("kw", start..<index)
                } else if isDigit(scalar) {
                    index += 1
                    while let next = peek(), isIdentifierPart(next) || next == "." && peek(1).map(isDigit) == true
                        || (next == "-" || next == "+") && (scalars[index - 1] == "e" || scalars[index - 1] == "E" || scalars[index - 1] == "p") && !isHex(start) {
                        index += 1
                    }
                    html += span("num", start..<index)
                } else if isIdentifierStart(scalar) || scalar == "`" {
                    let quoted = scalar == "`"
                    index += 1
                    while let next = peek(), isIdentifierPart(next) { index += 1 }
                    if quoted && peek() == "`" { index += 1 }
                    let word = text(start..<index)
                    if !quoted && keywords.contains(word) {
                        html += span("kw", start..<index)
                    } else if let first = word.unicodeScalars.first, first.properties.isUppercase {
                        html += span("ty", start..<index)
                    } else {
                        html += HTMLText.escaped(word)
                    }
                } else {
                    if closing != nil {
                        if scalar == "(" { parentheses += 1 }
                        if scalar == ")" {
                            if parentheses == 0 { return html }
                            parentheses -= 1
                        }
                    }
                    index += 1
                    html += HTMLText.escaped(String(scalar))
                }
            }
            return html
        }

        func isHex(_ start: Int) -> Bool {
            start + 1 < scalars.count && scalars[start] == "0" && (scalars[start + 1] == "x" || scalars[start + 1] == "X")
        }

        func rawStringAhead() -> Bool {
            var offset = 0
            while peek(offset) == "#" { offset += 1 }
            return peek(offset) == "\""
        }

        /// A string literal: `"…"`, `"""…"""` over several lines, raw `#"…"#`, each with
        /// `\(…)` interpolations highlighted as code.
        mutating func string() -> String {
            var html = ""
            var start = index
            var hashes = 0
            while peek() == "#" { hashes += 1; index += 1 }
            let multiline = peek() == "\"" && peek(1) == "\"" && peek(2) == "\""
            index += multiline ? 3 : 1
            let delimiter = String(repeating: "\"", count: multiline ? 3 : 1) + String(repeating: "#", count: hashes)
            let delimiterScalars = Array(delimiter.unicodeScalars)
            let escapeHashes = String(repeating: "#", count: hashes)
            while let scalar = peek() {
                if !multiline && scalar == "\n" { break }
                if scalar == "\\" && matches(escapeHashes, at: index + 1) {
                    let afterHashes = index + 1 + hashes
                    if afterHashes < scalars.count && scalars[afterHashes] == "(" && depth < 16 {
                        html += span("str", start..<index)
                        let open = index
                        index = afterHashes + 1
                        html += span("interp", open..<index)
                        depth += 1
                        html += code(until: ")")
                        depth -= 1
                        let close = index
                        if peek() == ")" { index += 1 }
                        html += span("interp", close..<index)
                        start = index
                        continue
                    }
                    index = min(afterHashes + 1, scalars.count)
                    continue
                }
                if scalar == "\"" && matches(delimiter, at: index) {
                    index += delimiterScalars.count
                    break
                }
                index += 1
            }
            html += span("str", start..<index)
            return html
        }

        func matches(_ literal: String, at position: Int) -> Bool {
            var offset = position
            for scalar in literal.unicodeScalars {
                guard offset < scalars.count, scalars[offset] == scalar else { return false }
                offset += 1
            }
            return true
        }

        func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
        func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar.properties.isAlphabetic
        }
        func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
            isIdentifierStart(scalar) || isDigit(scalar)
        }
    }
}
