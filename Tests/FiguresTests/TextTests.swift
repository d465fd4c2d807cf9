import Foundation
import Testing

@testable import Figures

/// Text through FreeType in DejaVu Sans: the characters the notebooks use, anti-aliasing,
/// sub- and superscript markup, measurement.
@Suite("Text through FreeType")
struct TextTests {
    @Test("DejaVu Sans has its own glyph for every symbol the notebooks write")
    func coverage() throws {
        let face = try FontFace.face(.regular)
        for character in "αβγδεθλμπσφωΔΣΩ∂‖∇≈≤≥±×−…₀₁₂ₜᵢ⁰¹²³⁻" {
            for scalar in character.unicodeScalars { #expect(face.hasGlyph(scalar), "no glyph for \(character)") }
        }
        #expect(!face.hasGlyph("\u{E000}"), "a private-use code point should have no glyph")
        #expect(try FontFace.face(.bold).hasGlyph("∂"))
    }

    @Test("glyphs are anti-aliased: their edges hold intermediate levels, their stems full coverage")
    func antiAliased() throws {
        let face = try FontFace.face(.regular)
        let glyph = face.glyph("∂", pixelSize: 24)
        #expect(glyph.width > 8 && glyph.height > 12)
        let levels = Set(glyph.coverage)
        #expect(levels.contains(255) && levels.contains(0))
        #expect(glyph.coverage.filter { $0 > 20 && $0 < 235 }.count > 10)
    }

    @Test("braced markup makes sub- and superscripts; a bare underscore stays as written")
    func markup() {
        #expect(StyledText("x_{t}").runs == [.init(text: "x", shift: .none), .init(text: "t", shift: .subscripted)])
        #expect(StyledText("e^{-x} + 1").runs == [.init(text: "e", shift: .none), .init(text: "-x", shift: .superscripted),
                                                  .init(text: " + 1", shift: .none)])
        #expect(StyledText("hidden_size").runs == [.init(text: "hidden_size", shift: .none)])
        #expect(StyledText("a_{unclosed").plain == "a_{unclosed")
    }

    @Test("widths add up, scale with the size, and shrink for scripts")
    func measurement() {
        let ab = StyledText("ab").width(size: 10), a = StyledText("a").width(size: 10), b = StyledText("b").width(size: 10)
        #expect(abs(ab - (a + b)) < 1e-9 && a > 3 && a < 10)
        // "T" and "r" are kerned together, as Chromium sets them.
        let tr = StyledText("Tr").width(size: 100), t = StyledText("T").width(size: 100), r = StyledText("r").width(size: 100)
        #expect(tr < t + r - 10)
        #expect(abs(StyledText("ab").width(size: 20) - 2 * ab) < 1e-9)
        #expect(StyledText("x_{t}").width(size: 10) < StyledText("xt").width(size: 10))
        #expect(StyledText("Title").width(size: 10, weight: .bold) > StyledText("Title").width(size: 10))
    }

    @Test("a missing font names the Debian package to install")
    func missingFontMessage() {
        let error = FontError.missing(searched: ["/nowhere/DejaVuSans.ttf"], package: "fonts-dejavu-core")
        #expect(error.description.contains("apt-get install fonts-dejavu-core"))
        #expect(error.description.contains("/nowhere/DejaVuSans.ttf"))
    }

    @Test("text is drawn where the layout measured it, in both weights, upright and upward")
    func placement() throws {
        var drawing = Drawing(width: 200, height: 200)
        let label = StyledText("Label ∂x")
        drawing.items = [.text(DrawingText(text: label, position: DrawingPoint(x: 20, y: 40), size: 16)),
                         .text(DrawingText(text: label, position: DrawingPoint(x: 40, y: 180), size: 16, upward: true))]
        let canvas = DrawingRaster.render(drawing, scale: 2)
        let width = label.width(size: 16)
        func inkBounds(_ x: ClosedRange<Int>, _ y: ClosedRange<Int>) -> (Int, Int, Int, Int)? {
            var box: (Int, Int, Int, Int)?
            for row in y {
                for column in x where canvas.color(x: column, y: row).luminance < 0.6 {
                    box = box.map { (min($0.0, column), min($0.1, row), max($0.2, column), max($0.3, row)) } ?? (column, row, column, row)
                }
            }
            return box
        }
        let upright = try #require(inkBounds(0...399, 0...199))
        // Starts at x = 20 (40 px), spans the measured width, sits on the baseline y = 40 (80 px).
        #expect(abs(upright.0 - 40) <= 3 && abs(upright.2 - Int((20 + width) * 2)) <= 4, "\(upright), width \(width)")
        #expect(upright.3 <= 80 + 2 && upright.1 >= 80 - 16 * 2)
        let upward = try #require(inkBounds(0...399, 200...399))
        // Reads upward from y = 180: its ink runs from 360 px up by the measured width, left of x = 40.
        #expect(abs(upward.3 - 360) <= 3 && abs(upward.1 - Int((180 - width) * 2)) <= 4, "\(upward)")
        #expect(upward.2 <= 80 + 2)
    }
}
