import SafeText
/// The notebook author's Markdown, rendered to HTML for `report.html`.
///
/// Why not Ink (JohnSundell/Ink 0.6.0, which is available): Ink passes raw HTML through
/// by design, and reading its source shows more ways in than that: a run like
/// `&x<img/src=x/onerror=…>;` is copied out verbatim as an "entity", and link targets and
/// image descriptions are written into attributes without escaping quotes. Making it safe
/// would take a pre-pass that understands code spans and fences exactly as Ink does, plus
/// rewriting its output; and it gives headings no ids for the table of contents. A small
/// renderer of our own escapes every character by construction instead.
///
/// It covers what notebooks use: ATX headings, paragraphs, emphasis, code spans, fenced
/// code (Swift highlighted), math, links, images, block quotes, lists, tables and rules.
/// Raw HTML is not markup here: it is shown as the text it is. Indented code blocks and
/// setext headings are read as paragraphs.
struct ProseRenderer {
    struct Heading {
        var level: Int
        var id: String
        /// Escaped text, for the table of contents.
        var text: String
    }

    /// Block quotes and lists nested deeper than this are shown as text.
    static let maximumNesting = 16

    private(set) var headings: [Heading] = []
    var ids: HeadingIDs

    init(ids: HeadingIDs) {
        self.ids = ids
    }

    mutating func render(_ markdown: String) -> String {
        let text = ControlCharacters.escaped(markdown, allowingNewlines: true)
            .replacingOccurrences(of: "\r\n", with: "\n")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\t", with: "    ") }
        return blocks(lines[...], depth: 0, tight: false)
    }

    // MARK: - Blocks

    private mutating func blocks(_ lines: ArraySlice<String>, depth: Int, tight: Bool) -> String {
        var html: [String] = []
        var index = lines.startIndex
        while index < lines.endIndex {
            let line = lines[index]
            if line.allSatisfy(\.isWhitespace) {
                index += 1
            } else if let fence = Self.fenceOpening(line) {
                var body: [String] = []
                index += 1
                while index < lines.endIndex, !Self.closesFence(lines[index], fence) {
                    body.append(Self.removingIndent(lines[index], upTo: fence.indent))
                    index += 1
                }
                index += 1
                html.append(Self.codeBlock(body.joined(separator: "\n"), language: fence.language))
            } else if let (level, content) = Self.heading(line) {
                let inner = ProseInline.render(content)
                let id = ids.allocate(for: HTMLText.strippingTags(inner))
                headings.append(Heading(level: level, id: id, text: HTMLText.strippingTags(inner)))
                html.append("<h\(level) id=\"\(id)\">\(inner)</h\(level)>")
                index += 1
            } else if Self.isRule(line) {
                html.append("<hr>")
                index += 1
            } else if Self.quoteContent(line) != nil && depth < Self.maximumNesting {
                var quoted: [String] = []
                while index < lines.endIndex, let content = Self.quoteContent(lines[index]) {
                    quoted.append(content)
                    index += 1
                }
                html.append("<blockquote>\n" + blocks(quoted[...], depth: depth + 1, tight: false) + "\n</blockquote>")
            } else if Self.listMarker(line) != nil && depth < Self.maximumNesting {
                let (fragment, end) = list(lines, from: index, depth: depth)
                html.append(fragment)
                index = end
            } else if index + 1 < lines.endIndex, line.contains("|"), Self.isTableSeparator(lines[index + 1]) {
                let separator = lines[index + 1]
                var rows: [String] = []
                index += 2
                while index < lines.endIndex, lines[index].contains("|"), !lines[index].allSatisfy(\.isWhitespace) {
                    rows.append(lines[index])
                    index += 1
                }
                html.append(Self.table(header: line, separator: separator, rows: rows))
            } else {
                var paragraph: [String] = [line]
                var openDisplayMath = line.components(separatedBy: "$$").count % 2 == 0
                index += 1
                while index < lines.endIndex {
                    let next = lines[index]
                    if next.allSatisfy(\.isWhitespace) && !openDisplayMath { break }
                    if !openDisplayMath && Self.interruptsParagraph(next) { break }
                    paragraph.append(next)
                    if next.components(separatedBy: "$$").count % 2 == 0 { openDisplayMath.toggle() }
                    index += 1
                }
                let text = paragraph.map { $0.drop { $0 == " " } }.joined(separator: "\n")
                let inner = ProseInline.render(text)
                html.append(tight ? inner : "<p>" + inner + "</p>")
            }
        }
        return html.joined(separator: "\n")
    }

    private mutating func list(_ lines: ArraySlice<String>, from start: Int, depth: Int) -> (String, Int) {
        guard let first = Self.listMarker(lines[start]) else { return ("", start + 1) }
        var items: [[String]] = []
        var index = start
        var loose = false
        var sawBlank = false
        while index < lines.endIndex {
            let line = lines[index]
            if let marker = Self.listMarker(line), marker.ordered == first.ordered, marker.indent < first.contentIndent {
                if sawBlank && !items.isEmpty { loose = true }
                items.append([String(line.dropFirst(marker.contentIndent))])
                sawBlank = false
            } else if line.allSatisfy(\.isWhitespace) {
                sawBlank = true
                items[items.count - 1].append("")
            } else if Self.indentation(line) >= first.contentIndent {
                if sawBlank { loose = true }
                items[items.count - 1].append(Self.removingIndent(line, upTo: first.contentIndent))
                sawBlank = false
            } else if !sawBlank && !Self.interruptsParagraph(line) {
                items[items.count - 1].append(line)
            } else {
                break
            }
            index += 1
        }
        let tag = first.ordered ? "ol" : "ul"
        let startAttribute = first.ordered && first.number != 1 ? " start=\"\(first.number)\"" : ""
        var html = "<\(tag)\(startAttribute)>\n"
        for item in items {
            var content = item[...]
            while content.last?.allSatisfy(\.isWhitespace) == true { content = content.dropLast() }
            html += "<li>" + blocks(content, depth: depth + 1, tight: !loose) + "</li>\n"
        }
        return (html + "</\(tag)>", index)
    }

    // MARK: - Line classification

    struct Fence {
        var marker: Character
        var length: Int
        var indent: Int
        var language: String
    }

    static func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    static func removingIndent(_ line: String, upTo count: Int) -> String {
        String(line.dropFirst(min(count, indentation(line))))
    }

    static func fenceOpening(_ line: String) -> Fence? {
        let indent = indentation(line)
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let marker = rest.first, marker == "`" || marker == "~" else { return nil }
        let length = rest.prefix { $0 == marker }.count
        guard length >= 3 else { return nil }
        let info = rest.dropFirst(length).trimmingCharacters(in: .whitespaces)
        if marker == "`" && info.contains("`") { return nil }
        return Fence(marker: marker, length: length, indent: indent, language: String(info.prefix { !$0.isWhitespace }))
    }

    static func closesFence(_ line: String, _ fence: Fence) -> Bool {
        let indent = indentation(line)
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        let length = rest.prefix { $0 == fence.marker }.count
        return length >= fence.length && rest.dropFirst(length).allSatisfy(\.isWhitespace)
    }

    static func heading(_ line: String) -> (Int, Substring)? {
        let indent = indentation(line)
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        let level = rest.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return nil }
        let after = rest.dropFirst(level)
        guard after.isEmpty || after.first == " " else { return nil }
        var content = after.trimmingCharacters(in: .whitespaces)[...]
        // A closing run of #s, separated by a space, is not part of the heading.
        let closing = content.reversed().prefix { $0 == "#" }.count
        if closing > 0 && (closing == content.count || content.dropLast(closing).last == " ") {
            content = content.dropLast(closing)
            while content.last == " " { content = content.dropLast() }
        }
        return (level, content)
    }

    static func isRule(_ line: String) -> Bool {
        let compact = line.filter { !$0.isWhitespace }
        guard indentation(line) <= 3, compact.count >= 3, let first = compact.first, "-*_".contains(first) else { return false }
        return compact.allSatisfy { $0 == first }
    }

    static func quoteContent(_ line: String) -> String? {
        let indent = indentation(line)
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard rest.first == ">" else { return nil }
        let content = rest.dropFirst()
        return String(content.first == " " ? content.dropFirst() : content)
    }

    struct ListMarker {
        var ordered: Bool
        var number: Int
        var indent: Int
        var contentIndent: Int
    }

    static func listMarker(_ line: String) -> ListMarker? {
        let indent = indentation(line)
        guard indent <= 3 else { return nil }
        let rest = Array(line.dropFirst(indent))
        var width: Int
        var ordered = false
        var number = 1
        if let first = rest.first, "-*+".contains(first) {
            width = 1
        } else {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard (1...9).contains(digits.count), digits.count < rest.count, ".)".contains(rest[digits.count]) else { return nil }
            ordered = true
            number = Int(String(digits)) ?? 1
            width = digits.count + 1
        }
        guard width < rest.count, rest[width] == " " else { return nil }
        let spaces = min(rest.dropFirst(width).prefix { $0 == " " }.count, 4)
        return ListMarker(ordered: ordered, number: number, indent: indent, contentIndent: indent + width + spaces)
    }

    /// Lines that end a paragraph without a blank line before them.
    static func interruptsParagraph(_ line: String) -> Bool {
        if fenceOpening(line) != nil || heading(line) != nil || quoteContent(line) != nil { return true }
        if isRule(line) && !line.contains("=") { return true }
        if let marker = listMarker(line) { return !marker.ordered || marker.number == 1 }
        return false
    }

    // MARK: - Tables

    static func isTableSeparator(_ line: String) -> Bool {
        let cells = cells(line)
        return !cells.isEmpty && cells.allSatisfy { cell in
            let core = cell.trimmingCharacters(in: .whitespaces)
            let dashes = core.drop { $0 == ":" }.reversed().drop { $0 == ":" }
            return !dashes.isEmpty && dashes.allSatisfy { $0 == "-" }
        }
    }

    /// A row's cells: split on `|` outside code spans and not backslash-escaped.
    static func cells(_ line: String) -> [String] {
        var trimmed = line.trimmingCharacters(in: .whitespaces)[...]
        if trimmed.first == "|" { trimmed = trimmed.dropFirst() }
        if trimmed.last == "|" && !trimmed.hasSuffix("\\|") { trimmed = trimmed.dropLast() }
        var cells: [String] = [], current = "", inCode = false, previous: Character = " "
        for character in trimmed {
            if character == "`" { inCode.toggle() }
            if character == "|" && !inCode && previous != "\\" {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        cells.append(current)
        return cells.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func table(header: String, separator: String, rows: [String]) -> String {
        let alignments = cells(separator).map { cell -> String in
            let core = cell.trimmingCharacters(in: .whitespaces)
            switch (core.hasPrefix(":"), core.hasSuffix(":")) {
            case (true, true): return " class=\"center\""
            case (false, true): return " class=\"right\""
            default: return ""
            }
        }
        func row(_ line: String, tag: String) -> String {
            var values = cells(line)
            if values.count < alignments.count { values += Array(repeating: "", count: alignments.count - values.count) }
            let shown = values.prefix(alignments.count).enumerated().map { column, value in
                "<\(tag)\(alignments[column])>" + ProseInline.render(value) + "</\(tag)>"
            }
            return "<tr>" + shown.joined() + "</tr>"
        }
        var html = "<table>\n<thead>" + row(header, tag: "th") + "</thead>\n<tbody>\n"
        html += rows.map { row($0, tag: "td") }.joined(separator: "\n")
        return html + "\n</tbody>\n</table>"
    }

    // MARK: - Code

    static func codeBlock(_ code: String, language: String) -> String {
        let isSwift = language.lowercased() == "swift"
        let body = isSwift ? SwiftHighlighter.highlight(code) : HTMLText.escaped(code)
        let languageClass = isSwift ? " class=\"swift\"" : ""
        return "<pre class=\"code\"><code\(languageClass)>" + body + "</code></pre>"
    }
}

/// Ids for headings and stages, unique within the page, made from their text so that a
/// link to a section survives reruns.
struct HeadingIDs {
    private var used: Set<String> = []

    mutating func allocate(for text: String, prefix: String = "") -> String {
        var slug = ""
        var pendingDash = false
        var plain = text
        for entity in ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"] { plain = plain.replacingOccurrences(of: entity, with: " ") }
        for scalar in plain.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if pendingDash && !slug.isEmpty { slug += "-" }
                slug.unicodeScalars.append(scalar)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        let base = prefix + (slug.isEmpty ? "section" : String(slug.prefix(60)))
        var candidate = base
        var counter = 2
        while used.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        used.insert(candidate)
        return candidate
    }
}
