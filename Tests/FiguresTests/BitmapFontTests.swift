import Testing

@testable import Figures

@Suite("The built-in bitmap font")
struct BitmapFontTests {
    static let required = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,:;!?|-+=/()%[]'\"_<>#*")

    @Test("covers digits, both cases and the punctuation figures use")
    func coverage() {
        let missing = Self.required.filter { !BitmapFont.covers($0) }
        #expect(missing.isEmpty, "no glyph for \(missing)")
        #expect(!BitmapFont.covers("é"))
    }

    @Test("every glyph is distinct from every other, and only space is blank")
    func distinctGlyphs() {
        var seen: [[[Bool]]: Character] = [:]
        for character in Self.required {
            let rows = BitmapFont.rows(of: character)
            #expect(rows.count == BitmapFont.lineHeight && rows.allSatisfy { $0.count == BitmapFont.glyphWidth },
                    "glyph \(character) has the wrong shape")
            if let other = seen[rows] { Issue.record("\(character) and \(other) are drawn the same") }
            seen[rows] = character
            #expect(rows.joined().contains(true) == (character != " "), "glyph \(character)")
        }
    }

    @Test("text size: 6 pixels per character less the last gap, 9 tall, times the scale")
    func measuring() {
        #expect(BitmapFont.size(of: "Label: 5").width == 8 * 6 - 1)
        #expect(BitmapFont.size(of: "Label: 5", scale: 3) == (141, 27))
        #expect(BitmapFont.size(of: "").width == 0)
    }

    @Test("scale 2 repeats each font pixel as a 2 × 2 block")
    func scaling() {
        let one = BitmapFont.mask(of: "Ag", scale: 1)
        let two = BitmapFont.mask(of: "Ag", scale: 2)
        #expect(two.width == one.width * 2 && two.height == one.height * 2)
        for y in 0..<two.height {
            for x in 0..<two.width {
                #expect(two.ink[y * two.width + x] == one.ink[(y / 2) * one.width + x / 2])
            }
        }
    }

    @Test("upward text is the horizontal text turned a quarter counter-clockwise")
    func upwardText() {
        var flat = Canvas(width: 40, height: 40)
        var turned = Canvas(width: 40, height: 40)
        flat.drawText("Tr", x: 2, y: 3)
        turned.drawText("Tr", x: 3, y: 2, direction: .upward)
        let size = BitmapFont.size(of: "Tr")
        for row in 0..<size.height {
            for column in 0..<size.width {
                // Horizontal (column, row) lands at (row, width - 1 - column) when turned.
                #expect(flat.color(x: 2 + column, y: 3 + row)
                    == turned.color(x: 3 + row, y: 2 + size.width - 1 - column))
            }
        }
    }

    @Test("unknown characters draw a visible box rather than nothing")
    func missingGlyph() {
        var canvas = Canvas(width: 10, height: 12)
        canvas.drawText("é", x: 1, y: 1, color: .black)
        #expect(canvas.color(x: 1, y: 1) == .black && canvas.color(x: 5, y: 7) == .black)
        #expect(canvas.color(x: 3, y: 4) == .white)
    }
}
