/// A point in a drawing, in CSS pixels from the top left, y growing down.
public struct DrawingPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A rectangle in CSS pixels.
public struct DrawingRect: Sendable, Hashable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }
    var right: Double { x + width }
    var bottom: Double { y + height }

    func intersects(_ other: DrawingRect) -> Bool {
        x < other.right && other.x < right && y < other.bottom && other.y < bottom
    }

    func contains(_ point: DrawingPoint) -> Bool {
        point.x >= x && point.x <= right && point.y >= y && point.y <= bottom
    }

    /// Whether the segment from `a` to `b` crosses or lies in the rectangle (Liang–Barsky clipping).
    func meets(segmentFrom a: DrawingPoint, to b: DrawingPoint) -> Bool {
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        for (p, q) in [(-dx, a.x - x), (dx, right - a.x), (-dy, a.y - y), (dy, bottom - a.y)] {
            if p == 0 {
                if q < 0 { return false }
            } else {
                let t = q / p
                if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
                if t0 > t1 { return false }
            }
        }
        return true
    }
}

/// How text is anchored on its position: by its start, middle or end along the baseline.
enum TextAnchor: Sendable, Hashable { case start, middle, end }

/// A label placed in a drawing; `position` is on its baseline.
struct DrawingText: Sendable, Hashable {
    var text: StyledText
    var position: DrawingPoint
    var size: Double
    var weight: FontWeight = .regular
    var anchor: TextAnchor = .start
    /// Turned a quarter counter-clockwise, reading upward (a y-axis label).
    var upward = false
    var color: Color = .ink
}

/// An image drawn cell by cell with no smoothing (digits, heat maps): `pixels` are RGB.
struct DrawingImage: Sendable, Hashable {
    var columns: Int
    var rows: Int
    var pixels: [UInt8]
}

/// One thing a figure draws. The chart layout produces these; the PNG and SVG renderers
/// only paint them, so both renderings come from one model and cannot disagree about
/// where anything is.
enum DrawingItem: Sendable {
    case rect(DrawingRect, fill: Color, opacity: Double = 1)
    case strokeRect(DrawingRect, color: Color, width: Double)
    case polyline([DrawingPoint], color: Color, width: Double, dash: Double? = nil)
    case polygon([DrawingPoint], fill: Color, opacity: Double)
    case circles([DrawingPoint], radius: Double, fill: Color, opacity: Double)
    case text(DrawingText)
    case image(DrawingImage, in: DrawingRect)
    /// Items clipped to a rectangle (a plot area).
    case clipped(DrawingRect, [DrawingItem])
}

/// A finished figure: its size in CSS pixels and what it draws, in painting order.
public struct Drawing: Sendable {
    public var width: Double
    public var height: Double
    var items: [DrawingItem]
    /// What the figure shows, for the SVG's title and accessibility.
    var summary: String

    init(width: Double, height: Double, items: [DrawingItem] = [], summary: String = "") {
        self.width = width
        self.height = height
        self.items = items
        self.summary = summary
    }

    /// All text items, in order, including those inside clipped groups (for tests).
    var texts: [DrawingText] {
        func collect(_ items: [DrawingItem]) -> [DrawingText] {
            items.flatMap { item -> [DrawingText] in
                switch item {
                case let .text(text): [text]
                case let .clipped(_, inner): collect(inner)
                default: []
                }
            }
        }
        return collect(items)
    }
}
