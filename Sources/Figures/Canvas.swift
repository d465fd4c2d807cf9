/// An RGB drawing surface in pixel coordinates, origin at the top left, y growing down.
///
/// Everything outside the canvas is clipped silently, so callers can draw shapes
/// that overhang the edge without checking.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` bytes, RGB.
    public internal(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "Canvas needs positive dimensions, got \(width) × \(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    /// The canvas as an RGB bitmap, ready for ``PNGWriter``.
    public var bitmap: Bitmap { Bitmap(width: width, height: height, format: .rgb8, pixels: pixels) }

    public func color(x: Int, y: Int) -> Color {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width) × \(height)")
        let i = (y * width + x) * 3
        return Color(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
    }

    public mutating func setPixel(x: Int, y: Int, color: Color) {
        guard x >= 0 && x < width && y >= 0 && y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.red
        pixels[i + 1] = color.green
        pixels[i + 2] = color.blue
    }

    /// Blends `color` over pixel (x, y) with coverage `amount` in [0, 1].
    public mutating func blendPixel(x: Int, y: Int, color: Color, amount: Double) {
        guard x >= 0 && x < width && y >= 0 && y < height, amount > 0 else { return }
        setPixel(x: x, y: y, color: amount >= 1 ? color : self.color(x: x, y: y).blended(with: color, amount: amount))
    }

    /// Fills the rectangle with top-left corner (x, y).
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, color: Color) {
        let left = max(0, x), right = min(self.width, x + width)
        let top = max(0, y), bottom = min(self.height, y + height)
        guard left < right && top < bottom else { return }
        for row in top..<bottom {
            for column in left..<right {
                let i = (row * self.width + column) * 3
                pixels[i] = color.red
                pixels[i + 1] = color.green
                pixels[i + 2] = color.blue
            }
        }
    }

    /// Draws the outline of a rectangle, `thickness` pixels wide, inside its bounds.
    public mutating func strokeRect(x: Int, y: Int, width: Int, height: Int, color: Color, thickness: Int = 1) {
        fill(x: x, y: y, width: width, height: thickness, color: color)
        fill(x: x, y: y + height - thickness, width: width, height: thickness, color: color)
        fill(x: x, y: y, width: thickness, height: height, color: color)
        fill(x: x + width - thickness, y: y, width: thickness, height: height, color: color)
    }

    /// Connects the points with an anti-aliased line; each pixel is painted once with its
    /// greatest coverage, so joints are not darker than the segments.
    public mutating func strokePolyline(_ points: [(x: Double, y: Double)], color: Color, thickness: Double = 1) {
        guard !points.isEmpty else { return }
        let half = max(thickness, 0.5) / 2
        var coverage: [Int: Double] = [:]
        let segments = points.count == 1 ? [(points[0], points[0])] : Array(zip(points, points.dropFirst()))
        for (a, b) in segments {
            let left = max(0, Int((min(a.x, b.x) - half - 1).rounded(.down)))
            let right = min(width - 1, Int((max(a.x, b.x) + half + 1).rounded(.up)))
            let top = max(0, Int((min(a.y, b.y) - half - 1).rounded(.down)))
            let bottom = min(height - 1, Int((max(a.y, b.y) + half + 1).rounded(.up)))
            guard left <= right && top <= bottom else { continue }
            for row in top...bottom {
                for column in left...right {
                    let distance = Self.distance(from: (Double(column) + 0.5, Double(row) + 0.5), toSegment: a, b)
                    let amount = min(1, half + 0.5 - distance)
                    if amount > 0 {
                        let key = row * width + column
                        coverage[key] = max(coverage[key] ?? 0, amount)
                    }
                }
            }
        }
        for (key, amount) in coverage {
            blendPixel(x: key % width, y: key / width, color: color, amount: amount)
        }
    }

    /// Copies a grayscale image, each pixel becoming a `scale × scale` block (nearest
    /// neighbour, so strokes stay crisp). With `inverted`, 255 maps to black.
    public mutating func drawGrayImage(_ gray: some Collection<UInt8>, width imageWidth: Int, height imageHeight: Int,
                                       x: Int, y: Int, scale: Int = 1, inverted: Bool = false) {
        precondition(gray.count == imageWidth * imageHeight,
                     "drawGrayImage: \(gray.count) pixels for \(imageWidth) × \(imageHeight)")
        precondition(scale > 0, "drawGrayImage: scale must be positive")
        for (index, value) in gray.enumerated() {
            let level = inverted ? 255 - value : value
            fill(x: x + (index % imageWidth) * scale, y: y + (index / imageWidth) * scale,
                 width: scale, height: scale, color: Color(gray: level))
        }
    }

    private static func distance(from p: (Double, Double), toSegment a: (x: Double, y: Double),
                                 _ b: (x: Double, y: Double)) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        var t = 0.0
        if lengthSquared > 0 { t = min(1, max(0, ((p.0 - a.x) * dx + (p.1 - a.y) * dy) / lengthSquared)) }
        let cx = a.x + t * dx - p.0, cy = a.y + t * dy - p.1
        return (cx * cx + cy * cy).squareRoot()
    }
}
