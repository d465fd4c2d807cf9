/// Inline Markdown of a prose paragraph, heading, list item or table cell, to HTML.
///
/// It runs in two passes. The first cuts out what Markdown must not touch: code spans,
/// math (`$…$`, `$$…$$`, whose underscores, asterisks and backslashes are TeX) and
/// backslash escapes, turning each into an opaque atom. The second finds emphasis, links
/// and images among the remaining characters. Every character of the author's text is
/// HTML-escaped on the way out; the only tags in the result are the ones written here.
struct ProseInline {
    enum Atom {
        /// A character of prose; `literal` when it was backslash-escaped and so is never markup.
        case character(Character, literal: Bool)
        /// Finished HTML: a code span, a math element, a line break.
        case html(String)
    }

    /// Nested links, images and emphasis beyond this depth are shown as plain text, so
    /// that hostile prose cannot recurse without bound.
    static let maximumNesting = 32

    static func render(_ text: some StringProtocol) -> String {
        let atoms = protect(Array(text))
        return render(atoms[...], depth: 0)
    }

    // MARK: - Pass 1: code spans, math, escapes, line breaks

    static func protect(_ characters: [Character]) -> [Atom] {
        var atoms: [Atom] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                if index + 1 < characters.count, characters[index + 1] == "\n" {
                    atoms.append(.html("<br>\n"))
                    index += 2
                } else if index + 1 < characters.count, characters[index + 1].isASCII, characters[index + 1].isPunctuation || characters[index + 1].isSymbol {
                    atoms.append(.character(characters[index + 1], literal: true))
                    index += 2
                } else {
                    atoms.append(.character("\\", literal: true))
                    index += 1
                }
            case "`":
                let run = runLength(of: "`", in: characters, at: index)
                if let close = closingBackticks(run, in: characters, from: index + run) {
                    var code = String(characters[(index + run)..<close]).replacingOccurrences(of: "\n", with: " ")
                    if code.count >= 2, code.first == " ", code.last == " ", code.contains(where: { $0 != " " }) {
                        code = String(code.dropFirst().dropLast())
                    }
                    atoms.append(.html("<code>" + HTMLText.escaped(code) + "</code>"))
                    index = close + run
                } else {
                    for _ in 0..<run { atoms.append(.character("`", literal: true)) }
                    index += run
                }
            case "$":
                if let (tex, end, display) = math(in: characters, at: index) {
                    let kind = display ? "math display" : "math inline"
                    atoms.append(.html("<span class=\"\(kind)\">" + HTMLText.escaped(tex) + "</span>"))
                    index = end
                } else {
                    atoms.append(.character("$", literal: true))
                    index += 1
                }
            case " " where hardBreakAhead(characters, at: index):
                while characters[index] == " " { index += 1 }
                atoms.append(.html("<br>\n"))
                index += 1
            default:
                atoms.append(.character(character, literal: false))
                index += 1
            }
        }
        return atoms
    }

    static func runLength(of character: Character, in characters: [Character], at start: Int) -> Int {
        var end = start
        while end < characters.count && characters[end] == character { end += 1 }
        return end - start
    }

    /// Start of a backtick run of exactly `length` after `start`, if any.
    static func closingBackticks(_ length: Int, in characters: [Character], from start: Int) -> Int? {
        var index = start
        while index < characters.count {
            if characters[index] == "`" {
                let run = runLength(of: "`", in: characters, at: index)
                if run == length { return index }
                index += run
            } else {
                index += 1
            }
        }
        return nil
    }

    /// `$$…$$` (display) or `$…$` (inline, pandoc's rule: no space just inside the
    /// dollars, and a closing dollar not followed by a digit, so "$5 and $6" stays prose).
    static func math(in characters: [Character], at start: Int) -> (tex: String, end: Int, display: Bool)? {
        if start + 1 < characters.count && characters[start + 1] == "$" {
            var index = start + 2
            while index + 1 < characters.count {
                if characters[index] == "\\" { index += 2; continue }
                if characters[index] == "$" && characters[index + 1] == "$" {
                    let tex = String(characters[(start + 2)..<index]).trimmingCharacters(in: .whitespacesAndNewlines)
                    return tex.isEmpty ? nil : (tex, index + 2, true)
                }
                index += 1
            }
            return nil
        }
        guard start + 1 < characters.count, !characters[start + 1].isWhitespace else { return nil }
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "\\" { index += 2; continue }
            // A code span wins over math that would run into it; a blank line ends a paragraph.
            if character == "`" || character == "\n" && index + 1 < characters.count && characters[index + 1] == "\n" { return nil }
            if character == "$" {
                let closes = !characters[index - 1].isWhitespace
                    && (index + 1 >= characters.count || !characters[index + 1].isNumber)
                guard closes else { return nil }
                return (String(characters[(start + 1)..<index]), index + 1, false)
            }
            index += 1
        }
        return nil
    }

    /// Two or more spaces before a newline end a line with a break.
    static func hardBreakAhead(_ characters: [Character], at start: Int) -> Bool {
        let run = runLength(of: " ", in: characters, at: start)
        let next = start + run
        return run >= 2 && next < characters.count && characters[next] == "\n"
    }

    // MARK: - Pass 2: emphasis, links, images

    static func render(_ atoms: ArraySlice<Atom>, depth: Int) -> String {
        var html = ""
        var index = atoms.startIndex
        while index < atoms.endIndex {
            switch atoms[index] {
            case .html(let fragment):
                html += fragment
                index += 1
            case .character(let character, let literal):
                if !literal && depth < maximumNesting {
                    if character == "!", index + 1 < atoms.endIndex, isMarker(atoms[index + 1], "["),
                       let link = link(in: atoms, at: index + 1) {
                        html += image(link, atoms: atoms)
                        index = link.end
                        continue
                    }
                    if character == "[", let link = link(in: atoms, at: index) {
                        html += anchor(link, atoms: atoms, depth: depth)
                        index = link.end
                        continue
                    }
                    if character == "*" || character == "_", let (fragment, end) = emphasis(in: atoms, at: index, depth: depth) {
                        html += fragment
                        index = end
                        continue
                    }
                }
                html += HTMLText.escaped(String(character))
                index += 1
            }
        }
        return html
    }

    static func isMarker(_ atom: Atom, _ marker: Character) -> Bool {
        if case .character(let character, false) = atom { return character == marker }
        return false
    }

    static func character(_ atoms: ArraySlice<Atom>, _ index: Int) -> Character? {
        guard index >= atoms.startIndex && index < atoms.endIndex else { return nil }
        if case .character(let character, _) = atoms[index] { return character }
        return nil
    }

    static func isWhitespace(_ atoms: ArraySlice<Atom>, _ index: Int) -> Bool {
        guard index >= atoms.startIndex && index < atoms.endIndex else { return true }
        return character(atoms, index)?.isWhitespace ?? false
    }

    static func isAlphanumeric(_ atoms: ArraySlice<Atom>, _ index: Int) -> Bool {
        guard let character = character(atoms, index) else { return false }
        return character.isLetter || character.isNumber
    }

    struct Link {
        var text: Range<Int>
        var destination: String
        var end: Int
    }

    /// `[text](destination "optional title")`, with balanced brackets and parentheses.
    static func link(in atoms: ArraySlice<Atom>, at open: Int) -> Link? {
        var depth = 0
        var index = open
        var close: Int?
        while index < atoms.endIndex {
            if isMarker(atoms[index], "[") { depth += 1 }
            if isMarker(atoms[index], "]") {
                depth -= 1
                if depth == 0 { close = index; break }
            }
            index += 1
        }
        guard let close, close + 1 < atoms.endIndex, isMarker(atoms[close + 1], "(") else { return nil }
        var destination = ""
        var parentheses = 0
        index = close + 2
        while index < atoms.endIndex {
            guard case .character(let character, let literal) = atoms[index] else { return nil }
            if !literal && character == "(" { parentheses += 1 }
            if !literal && character == ")" {
                if parentheses == 0 {
                    let target = destination.trimmingCharacters(in: .whitespaces)
                    // A title after the destination is dropped; angle brackets may wrap it.
                    var url = String(target.prefix { !$0.isWhitespace })
                    // Only a quoted or parenthesised title may follow the destination.
                    let title = target.dropFirst(url.count).drop { $0 == " " }
                    if let first = title.first, !"\"'(".contains(first) { return nil }
                    if url.hasPrefix("<") && url.hasSuffix(">") && url.count >= 2 { url = String(url.dropFirst().dropLast()) }
                    return Link(text: (open + 1)..<close, destination: url, end: index + 1)
                }
                parentheses -= 1
            }
            if character == "\n" { return nil }
            destination.append(character)
            index += 1
        }
        return nil
    }

    static func anchor(_ link: Link, atoms: ArraySlice<Atom>, depth: Int) -> String {
        let text = render(atoms[link.text], depth: depth + 1)
        guard let url = LinkPolicy.safeLink(link.destination) else {
            return "<span class=\"refused-link\" title=\"link not allowed in a report\">" + text + "</span>"
        }
        return "<a href=\"" + HTMLText.escaped(url) + "\">" + text + "</a>"
    }

    static func image(_ link: Link, atoms: ArraySlice<Atom>) -> String {
        let alternative = HTMLText.strippingTags(render(atoms[link.text], depth: maximumNesting))
        guard let url = LinkPolicy.safeImage(link.destination) else {
            return "<span class=\"refused-link\" title=\"images must be files next to the report\">[" + alternative + "]</span>"
        }
        return "<img src=\"" + HTMLText.escaped(url) + "\" alt=\"" + alternative + "\">"
    }

    /// `**strong**`, `__strong__`, `*emphasis*`, `_emphasis_`. An underscore inside a word
    /// (`fan_in`) is not markup.
    static func emphasis(in atoms: ArraySlice<Atom>, at start: Int, depth: Int) -> (String, Int)? {
        guard let marker = character(atoms, start) else { return nil }
        var run = 0
        while isMarker(atoms[start + run], marker) { run += 1; if start + run >= atoms.endIndex { break } }
        if marker == "_" && isAlphanumeric(atoms, start - 1) { return nil }
        for width in [2, 1] where run >= width {
            let contentStart = start + width
            guard !isWhitespace(atoms, contentStart) else { continue }
            var index = contentStart + 1
            while index < atoms.endIndex {
                if isMarker(atoms[index], marker) {
                    var closing = 0
                    while index + closing < atoms.endIndex && isMarker(atoms[index + closing], marker) { closing += 1 }
                    let fits = width == 2 ? closing >= 2 : closing != 2
                    if fits && !isWhitespace(atoms, index - 1) && !(marker == "_" && isAlphanumeric(atoms, index + width)) {
                        let tag = width == 2 ? "strong" : "em"
                        let inner = render(atoms[contentStart..<index], depth: depth + 1)
                        return ("<\(tag)>" + inner + "</\(tag)>", index + width)
                    }
                    index += closing
                    continue
                }
                index += 1
            }
        }
        return nil
    }
}
