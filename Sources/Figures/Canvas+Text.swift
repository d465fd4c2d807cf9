/// Which way a line of text runs.
public enum TextDirection: Sendable {
    /// Left to right, the usual way.
    case horizontal
    /// Bottom to top (turned 90° counter-clockwise), for vertical axis labels.
    case upward
}

extension Canvas {
    /// Draws `text` with its bounding box's top-left corner at (x, y). For `.upward` text
    /// the box is `size.height` wide and `size.width` tall.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: Color = .ink,
                                  direction: TextDirection = .horizontal) {
        precondition(scale > 0, "drawText: scale must be positive")
        let mask = BitmapFont.mask(of: text, scale: scale)
        for row in 0..<mask.height {
            for column in 0..<mask.width where mask.ink[row * mask.width + column] {
                switch direction {
                case .horizontal:
                    setPixel(x: x + column, y: y + row, color: color)
                case .upward:
                    setPixel(x: x + row, y: y + mask.width - 1 - column, color: color)
                }
            }
        }
    }

    /// Draws `text` centred horizontally on `centerX`, its top at `y`.
    public mutating func drawText(_ text: String, centerX: Int, y: Int, scale: Int = 1, color: Color = .ink) {
        let width = BitmapFont.size(of: text, scale: scale).width
        drawText(text, x: centerX - width / 2, y: y, scale: scale, color: color)
    }

    /// Draws `text` centred on the point (centerX, centerY), using the cap height for the
    /// vertical centre so that digits sit visually in the middle of a cell.
    public mutating func drawText(_ text: String, centerX: Int, centerY: Int, scale: Int = 1, color: Color = .ink) {
        let width = BitmapFont.size(of: text, scale: scale).width
        drawText(text, x: centerX - width / 2, y: centerY - BitmapFont.capHeight * scale / 2, scale: scale, color: color)
    }
}
