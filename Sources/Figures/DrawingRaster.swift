/// Paints a ``Drawing`` into pixels at a given density (2 pixels per CSS pixel for the
/// reports' PNGs), anti-aliased.
///
/// Strokes accumulate the coverage of all their segments in one reused buffer and blend
/// each pixel once with its greatest coverage, so the joints of a line are not darker than
/// its segments and a 10⁶-point line costs one pass over its pixels, with no allocation
/// per point.
struct DrawingRaster {
    private(set) var canvas: Canvas
    let scale: Double
    /// Pixels outside [x0, x1) × [y0, y1) are left alone.
    private var clip: (x0: Int, y0: Int, x1: Int, y1: Int)
    private var coverage: [Float]

    init(width: Double, height: Double, scale: Double) {
        let pixelWidth = max(1, Int((width * scale).rounded())), pixelHeight = max(1, Int((height * scale).rounded()))
        canvas = Canvas(width: pixelWidth, height: pixelHeight)
        self.scale = scale
        clip = (0, 0, pixelWidth, pixelHeight)
        coverage = []
    }

    static func render(_ drawing: Drawing, scale: Double) -> Canvas {
        var raster = DrawingRaster(width: drawing.width, height: drawing.height, scale: scale)
        raster.paint(drawing.items)
        return raster.canvas
    }

    mutating func paint(_ items: [DrawingItem]) {
        for item in items { paint(item) }
    }

    private mutating func paint(_ item: DrawingItem) {
        switch item {
        case let .rect(rect, fill, opacity): fillRect(rect, color: fill, opacity: opacity)
        case let .strokeRect(rect, color, width):
            let half = width / 2
            fillRect(DrawingRect(x: rect.x - half, y: rect.y - half, width: rect.width + width, height: width), color: color)
            fillRect(DrawingRect(x: rect.x - half, y: rect.bottom - half, width: rect.width + width, height: width), color: color)
            fillRect(DrawingRect(x: rect.x - half, y: rect.y + half, width: width, height: rect.height - width), color: color)
            fillRect(DrawingRect(x: rect.right - half, y: rect.y + half, width: width, height: rect.height - width), color: color)
        case let .polyline(points, color, width, dash):
            if let dash {
                for piece in Self.dashes(points, length: dash) { stroke(piece, color: color, width: width) }
            } else {
                stroke(points, color: color, width: width)
            }
        case let .polygon(points, fill, opacity): fillPolygon(points, color: fill, opacity: opacity)
        case let .circles(centres, radius, fill, opacity): fillCircles(centres, radius: radius, color: fill, opacity: opacity)
        case let .text(text): drawText(text)
        case let .image(image, rect): drawImage(image, in: rect)
        case let .clipped(rect, inner):
            let saved = clip
            clip = (max(saved.x0, Int((rect.x * scale).rounded(.down))), max(saved.y0, Int((rect.y * scale).rounded(.down))),
                    min(saved.x1, Int((rect.right * scale).rounded(.up))), min(saved.y1, Int((rect.bottom * scale).rounded(.up))))
            paint(inner)
            clip = saved
        }
    }

    /// Blends `color` over pixel index `i` (of the RGB buffer / 3) by `amount` in 0...1.
    @inline(__always)
    private static func blend(_ pixels: UnsafeMutableBufferPointer<UInt8>, _ i: Int, _ color: Color, _ amount: Float) {
        let base = i * 3
        let keep = 1 - amount
        pixels[base] = UInt8(Float(pixels[base]) * keep + Float(color.red) * amount + 0.5)
        pixels[base + 1] = UInt8(Float(pixels[base + 1]) * keep + Float(color.green) * amount + 0.5)
        pixels[base + 2] = UInt8(Float(pixels[base + 2]) * keep + Float(color.blue) * amount + 0.5)
    }

    /// A rectangle with its edges anti-aliased by the fraction of each edge pixel it covers.
    private mutating func fillRect(_ rect: DrawingRect, color: Color, opacity: Double = 1) {
        guard rect.width > 0, rect.height > 0 else { return }
        let x0 = rect.x * scale, x1 = rect.right * scale, y0 = rect.y * scale, y1 = rect.bottom * scale
        let left = max(clip.x0, Int(x0.rounded(.down))), right = min(clip.x1, Int(x1.rounded(.up)))
        let top = max(clip.y0, Int(y0.rounded(.down))), bottom = min(clip.y1, Int(y1.rounded(.up)))
        guard left < right, top < bottom else { return }
        let width = canvas.width
        let alpha = Float(opacity)
        canvas.pixels.withUnsafeMutableBufferPointer { pixels in
            for row in top..<bottom {
                let rowCover = min(Double(row + 1), y1) - max(Double(row), y0)
                for column in left..<right {
                    let columnCover = min(Double(column + 1), x1) - max(Double(column), x0)
                    let amount = Float(rowCover * columnCover) * alpha
                    if amount > 0 { Self.blend(pixels, row * width + column, color, min(1, amount)) }
                }
            }
        }
    }

    /// Splits a polyline into dashes of `length` CSS pixels with gaps as long.
    static func dashes(_ points: [DrawingPoint], length: Double) -> [[DrawingPoint]] {
        var pieces: [[DrawingPoint]] = []
        var drawing = true, left = length
        var current: [DrawingPoint] = points.first.map { [$0] } ?? []
        for (a, b) in zip(points, points.dropFirst()) {
            var start = a
            var remaining = ((b.x - start.x) * (b.x - start.x) + (b.y - start.y) * (b.y - start.y)).squareRoot()
            while remaining > left {
                let t = left / remaining
                let cut = DrawingPoint(x: start.x + (b.x - start.x) * t, y: start.y + (b.y - start.y) * t)
                if drawing { pieces.append(current + [cut]) }
                drawing.toggle()
                current = [cut]
                remaining -= left
                left = length
                start = cut
            }
            left -= remaining
            current.append(b)
        }
        if drawing && current.count > 1 { pieces.append(current) }
        return pieces
    }

    /// A line `width` CSS pixels wide with round joins and ends.
    private mutating func stroke(_ points: [DrawingPoint], color: Color, width: Double) {
        guard !points.isEmpty else { return }
        let half = max(width * scale, 0.7) / 2
        let pixelWidth = canvas.width
        if coverage.count != canvas.width * canvas.height {
            coverage = [Float](repeating: 0, count: canvas.width * canvas.height)
        }
        var dirty = (x0: Int.max, y0: Int.max, x1: Int.min, y1: Int.min)
        let clip = self.clip
        let scale = self.scale
        coverage.withUnsafeMutableBufferPointer { cover in
            // A single point is a segment of length zero: a round dot.
            for index in (points.count == 1 ? 0 : 1)..<points.count {
                let start = points[max(0, index - 1)], end = points[index]
                let a = DrawingPoint(x: start.x * scale, y: start.y * scale)
                let b = DrawingPoint(x: end.x * scale, y: end.y * scale)
                guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { continue }
                let left = max(clip.x0, Int((min(a.x, b.x) - half - 1).rounded(.down)))
                let right = min(clip.x1 - 1, Int((max(a.x, b.x) + half + 1).rounded(.up)))
                let top = max(clip.y0, Int((min(a.y, b.y) - half - 1).rounded(.down)))
                let bottom = min(clip.y1 - 1, Int((max(a.y, b.y) + half + 1).rounded(.up)))
                guard left <= right, top <= bottom else { continue }
                dirty = (min(dirty.x0, left), min(dirty.y0, top), max(dirty.x1, right), max(dirty.y1, bottom))
                let dx = b.x - a.x, dy = b.y - a.y
                let lengthSquared = dx * dx + dy * dy
                let inverse = lengthSquared > 0 ? 1 / lengthSquared : 0
                for row in top...bottom {
                    let py = Double(row) + 0.5
                    for column in left...right {
                        let px = Double(column) + 0.5
                        let t = min(1, max(0, ((px - a.x) * dx + (py - a.y) * dy) * inverse))
                        let cx = a.x + t * dx - px, cy = a.y + t * dy - py
                        let amount = Float(half + 0.5 - (cx * cx + cy * cy).squareRoot())
                        if amount > 0 {
                            let key = row * pixelWidth + column
                            if amount > cover[key] { cover[key] = min(1, amount) }
                        }
                    }
                }
            }
        }
        flushCoverage(dirty, color: color, opacity: 1)
    }

    /// Blends the accumulated coverage in `region` and clears it for the next shape.
    private mutating func flushCoverage(_ region: (x0: Int, y0: Int, x1: Int, y1: Int), color: Color, opacity: Float) {
        guard region.x0 <= region.x1, region.y0 <= region.y1 else { return }
        let width = canvas.width
        coverage.withUnsafeMutableBufferPointer { cover in
            canvas.pixels.withUnsafeMutableBufferPointer { pixels in
                for row in region.y0...region.y1 {
                    for column in region.x0...region.x1 {
                        let key = row * width + column
                        let amount = cover[key]
                        if amount > 0 {
                            Self.blend(pixels, key, color, amount * opacity)
                            cover[key] = 0
                        }
                    }
                }
            }
        }
    }

    /// Fills a polygon (non-zero winding) with 4 sub-rows per pixel row and exact
    /// horizontal coverage, then blends it once at `opacity`.
    private mutating func fillPolygon(_ points: [DrawingPoint], color: Color, opacity: Double) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard finite.count >= 3 else { return }
        if coverage.count != canvas.width * canvas.height {
            coverage = [Float](repeating: 0, count: canvas.width * canvas.height)
        }
        struct Edge { var yTop: Double, yBottom: Double, xAtTop: Double, slope: Double, winding: Int }
        var edges: [Edge] = []
        edges.reserveCapacity(finite.count)
        for index in 0..<finite.count {
            let a = finite[index], b = finite[(index + 1) % finite.count]
            let ax = a.x * scale, ay = a.y * scale, bx = b.x * scale, by = b.y * scale
            if ay == by { continue }
            let (top, bottom) = ay < by ? ((ax, ay), (bx, by)) : ((bx, by), (ax, ay))
            edges.append(Edge(yTop: top.1, yBottom: bottom.1, xAtTop: top.0,
                              slope: (bottom.0 - top.0) / (bottom.1 - top.1), winding: ay < by ? 1 : -1))
        }
        edges.sort { $0.yTop < $1.yTop }
        let top = max(clip.y0, Int((edges.first?.yTop ?? 0).rounded(.down)))
        let bottom = min(clip.y1 - 1, Int((edges.map(\.yBottom).max() ?? 0).rounded(.up)))
        guard top <= bottom else { return }
        let width = canvas.width
        let clip = self.clip
        var active: [Edge] = []
        var next = 0
        var crossings: [(x: Double, winding: Int)] = []
        var dirtyLeft = Int.max, dirtyRight = Int.min
        let subRows = 4
        coverage.withUnsafeMutableBufferPointer { cover in
            for row in top...bottom {
                for sub in 0..<subRows {
                    let y = Double(row) + (Double(sub) + 0.5) / Double(subRows)
                    while next < edges.count && edges[next].yTop <= y { active.append(edges[next]); next += 1 }
                    active.removeAll { $0.yBottom <= y }
                    crossings.removeAll(keepingCapacity: true)
                    for edge in active where edge.yTop <= y {
                        crossings.append((edge.xAtTop + (y - edge.yTop) * edge.slope, edge.winding))
                    }
                    crossings.sort { $0.x < $1.x }
                    var winding = 0
                    for index in 0..<crossings.count {
                        let wasInside = winding != 0
                        winding += crossings[index].winding
                        guard wasInside, index > 0 else { continue }
                        let x0 = max(Double(clip.x0), crossings[index - 1].x), x1 = min(Double(clip.x1), crossings[index].x)
                        guard x0 < x1 else { continue }
                        let first = Int(x0.rounded(.down)), last = min(clip.x1 - 1, Int(x1.rounded(.up)) - 1)
                        guard first <= last else { continue }
                        dirtyLeft = min(dirtyLeft, first)
                        dirtyRight = max(dirtyRight, last)
                        for column in first...last {
                            let span = min(Double(column + 1), x1) - max(Double(column), x0)
                            if span > 0 { cover[row * width + column] += Float(span) / Float(subRows) }
                        }
                    }
                }
            }
        }
        flushCoverage((dirtyLeft, top, dirtyRight, bottom), color: color, opacity: Float(opacity))
    }

    /// Discs of `radius` CSS pixels; overlapping discs of a translucent colour darken, as
    /// the SVG's do.
    private mutating func fillCircles(_ centres: [DrawingPoint], radius: Double, color: Color, opacity: Double) {
        let r = radius * scale
        let width = canvas.width
        let clip = self.clip
        let scale = self.scale
        let alpha = Float(opacity)
        canvas.pixels.withUnsafeMutableBufferPointer { pixels in
            for centre in centres where centre.x.isFinite && centre.y.isFinite {
                let cx = centre.x * scale, cy = centre.y * scale
                let left = max(clip.x0, Int((cx - r - 1).rounded(.down))), right = min(clip.x1 - 1, Int((cx + r + 1).rounded(.up)))
                let top = max(clip.y0, Int((cy - r - 1).rounded(.down))), bottom = min(clip.y1 - 1, Int((cy + r + 1).rounded(.up)))
                guard left <= right, top <= bottom else { continue }
                for row in top...bottom {
                    let dy = Double(row) + 0.5 - cy
                    for column in left...right {
                        let dx = Double(column) + 0.5 - cx
                        let amount = Float(min(1, r + 0.5 - (dx * dx + dy * dy).squareRoot())) * alpha
                        if amount > 0 { Self.blend(pixels, row * width + column, color, amount) }
                    }
                }
            }
        }
    }

    /// Nearest neighbour: every image cell stays a crisp block.
    private mutating func drawImage(_ image: DrawingImage, in rect: DrawingRect) {
        let x0 = Int((rect.x * scale).rounded()), x1 = Int((rect.right * scale).rounded())
        let y0 = Int((rect.y * scale).rounded()), y1 = Int((rect.bottom * scale).rounded())
        guard x1 > x0, y1 > y0, image.columns > 0, image.rows > 0 else { return }
        let width = canvas.width
        canvas.pixels.withUnsafeMutableBufferPointer { pixels in
            for row in max(y0, clip.y0)..<min(y1, clip.y1) {
                let sourceRow = min(image.rows - 1, (row - y0) * image.rows / (y1 - y0))
                for column in max(x0, clip.x0)..<min(x1, clip.x1) {
                    let sourceColumn = min(image.columns - 1, (column - x0) * image.columns / (x1 - x0))
                    let source = (sourceRow * image.columns + sourceColumn) * 3
                    let target = (row * width + column) * 3
                    pixels[target] = image.pixels[source]
                    pixels[target + 1] = image.pixels[source + 1]
                    pixels[target + 2] = image.pixels[source + 2]
                }
            }
        }
    }

    /// Sets a label glyph by glyph from FreeType's anti-aliased masks, each run at its own
    /// size and baseline.
    private mutating func drawText(_ text: DrawingText) {
        guard let face = try? FontFace.face(text.weight) else { return }
        let total = text.text.width(size: text.size, weight: text.weight)
        var pen = text.anchor == .start ? 0 : text.anchor == .middle ? -total / 2 : -total
        let originX = text.position.x * scale, originY = text.position.y * scale
        let width = canvas.width
        let clip = self.clip
        let color = text.color
        for run in text.text.runs {
            let size = text.size * StyledText.scale(run.shift)
            let rise = StyledText.rise(run.shift) * text.size
            var previous: Unicode.Scalar?
            for scalar in run.text.unicodeScalars {
                if let previous { pen += face.kerning(previous, scalar) * size }
                previous = scalar
                let glyph = face.glyph(scalar, pixelSize: size * scale)
                // Along the baseline (u) and down from it (v), in pixels.
                let u0 = Int((pen * scale).rounded()) + glyph.left
                let v0 = -Int((rise * scale).rounded()) - glyph.top
                canvas.pixels.withUnsafeMutableBufferPointer { pixels in
                    for gy in 0..<glyph.height {
                        for gx in 0..<glyph.width {
                            let value = glyph.coverage[gy * glyph.width + gx]
                            guard value > 0 else { continue }
                            let (x, y) = text.upward
                                ? (Int(originX.rounded()) + v0 + gy, Int(originY.rounded()) - (u0 + gx))
                                : (Int(originX.rounded()) + u0 + gx, Int(originY.rounded()) + v0 + gy)
                            guard x >= clip.x0, x < clip.x1, y >= clip.y0, y < clip.y1 else { continue }
                            Self.blend(pixels, y * width + x, color, Float(value) / 255)
                        }
                    }
                }
                pen += face.advance(scalar) * size
            }
        }
    }
}
