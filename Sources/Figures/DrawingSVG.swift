import Foundation

/// Writes a ``Drawing`` as a standalone SVG document: real text set in DejaVu Sans (the
/// font the PNG uses, so the layout's measurements hold), no script, no external
/// reference, every label escaped for XML.
///
/// Images (digits, heat maps) are embedded as PNG data URLs drawn pixelated, because the
/// report page shows the SVG through `<img>`, which loads nothing from outside the file.
enum DrawingSVG {
    static func render(_ drawing: Drawing) throws(PNGError) -> String {
        var writer = Writer()
        let width = number(drawing.width), height = number(drawing.height)
        writer.out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"'\(FontFace.familyName)', sans-serif\" role=\"img\">\n"
        if !drawing.summary.isEmpty { writer.out += "<title>\(escaped(drawing.summary))</title>\n" }
        writer.out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        try writer.write(drawing.items)
        writer.out += "</svg>\n"
        return writer.out
    }

    private struct Writer {
        var out = ""
        var clipCount = 0

        mutating func write(_ items: [DrawingItem]) throws(PNGError) {
            for item in items { try write(item) }
        }

        mutating func write(_ item: DrawingItem) throws(PNGError) {
            switch item {
            case let .rect(rect, fill, opacity):
                out += "<rect \(box(rect)) fill=\"\(hex(fill))\"\(opacityAttribute("fill-opacity", opacity))/>\n"
            case let .strokeRect(rect, color, width):
                out += "<rect \(box(rect)) fill=\"none\" stroke=\"\(hex(color))\" stroke-width=\"\(number(width))\"/>\n"
            case let .polyline(points, color, width, dash):
                guard !points.isEmpty else { return }
                let dashes = dash.map { " stroke-dasharray=\"\(number($0))\"" } ?? ""
                // A single point becomes a zero-length path, which round caps draw as a dot.
                out += "<path d=\""
                appendPath(points, closed: false, dotIfSingle: true)
                out += "\" fill=\"none\" stroke=\"\(hex(color))\" stroke-width=\"\(number(width))\" "
                    + "stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dashes)/>\n"
            case let .polygon(points, fill, opacity):
                out += "<path d=\""
                appendPath(points, closed: true, dotIfSingle: false)
                out += "\" fill=\"\(hex(fill))\"\(opacityAttribute("fill-opacity", opacity))/>\n"
            case let .circles(centres, radius, fill, opacity):
                // Zero-length subpaths with round caps: one element for any number of points.
                out += "<path d=\""
                for centre in centres where centre.x.isFinite && centre.y.isFinite {
                    out += "M"
                    out += number(centre.x)
                    out += " "
                    out += number(centre.y)
                    out += "h0"
                }
                out += "\" stroke=\"\(hex(fill))\" stroke-width=\"\(number(2 * radius))\" stroke-linecap=\"round\""
                    + "\(opacityAttribute("stroke-opacity", opacity))/>\n"
            case let .text(text): writeText(text)
            case let .image(image, rect):
                let bitmap = Bitmap(width: image.columns, height: image.rows, format: .rgb8, pixels: image.pixels)
                let png = try PNGWriter.encode(bitmap, for: "an SVG image")
                out += "<image \(box(rect)) preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" "
                    + "href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>\n"
            case let .clipped(rect, inner):
                clipCount += 1
                let id = "clip\(clipCount)"
                out += "<clipPath id=\"\(id)\"><rect \(box(rect))/></clipPath>\n<g clip-path=\"url(#\(id))\">\n"
                try write(inner)
                out += "</g>\n"
            }
        }

        mutating func appendPath(_ points: [DrawingPoint], closed: Bool, dotIfSingle: Bool) {
            var first = true
            for point in points where point.x.isFinite && point.y.isFinite {
                out += first ? "M" : "L"
                out += number(point.x)
                out += " "
                out += number(point.y)
                first = false
            }
            if points.count == 1 && dotIfSingle { out += "h0" }
            if closed { out += "Z" }
        }

        mutating func writeText(_ text: DrawingText) {
            let anchor = text.anchor == .start ? "start" : text.anchor == .middle ? "middle" : "end"
            let x = number(text.position.x), y = number(text.position.y)
            let rotation = text.upward ? " transform=\"rotate(-90 \(x) \(y))\"" : ""
            let weight = text.weight == .bold ? " font-weight=\"bold\"" : ""
            out += "<text x=\"\(x)\" y=\"\(y)\" font-size=\"\(number(text.size))\"\(weight) text-anchor=\"\(anchor)\" "
                + "fill=\"\(hex(text.color))\" xml:space=\"preserve\"\(rotation)>"
            var rise = 0.0
            for run in text.text.runs {
                let target = StyledText.rise(run.shift) * text.size
                if run.shift == .none && rise == 0 {
                    out += escaped(run.text)
                } else {
                    let size = text.size * StyledText.scale(run.shift)
                    out += "<tspan font-size=\"\(number(size))\" dy=\"\(number(rise - target))\">\(escaped(run.text))</tspan>"
                    rise = target
                }
            }
            out += "</text>\n"
        }
    }

    private static func box(_ rect: DrawingRect) -> String {
        "x=\"\(number(rect.x))\" y=\"\(number(rect.y))\" width=\"\(number(max(0, rect.width)))\" height=\"\(number(max(0, rect.height)))\""
    }

    private static func opacityAttribute(_ name: String, _ opacity: Double) -> String {
        opacity >= 1 ? "" : " \(name)=\"\(number(opacity))\""
    }

    static func hex(_ color: Color) -> String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for channel in [color.red, color.green, color.blue] {
            text.append(digits[Int(channel >> 4)])
            text.append(digits[Int(channel & 15)])
        }
        return text
    }

    /// Two decimals at most, no exponent, no trailing zeros: compact for 10⁶ coordinates
    /// and exact to 1/200 of a CSS pixel, far below what a screen resolves.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Text for XML content and attributes: markup characters as entities, and the two
    /// code points XML forbids outright as the replacement character. (Control characters
    /// never get here: ``StyledText`` shows them as visible escapes.)
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\u{FFFE}", "\u{FFFF}": result += "\u{FFFD}"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
