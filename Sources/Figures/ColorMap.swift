/// How values become colours in a heat map and its colour bar.
///
/// The maps are perceptually ordered: lightness changes steadily along them, so equal
/// steps in value look like equal steps in colour, and they stay readable in greyscale
/// and to the common forms of colour blindness. Each is a table of evenly spaced stops
/// interpolated linearly in sRGB.
public struct ColorMap: Sendable, Hashable {
    let stops: [Color]
    /// Diverging maps are centred on zero when the chart picks their range.
    public let isDiverging: Bool

    public init(stops: [Color], isDiverging: Bool = false) {
        precondition(stops.count >= 2, "ColorMap needs at least two stops")
        self.stops = stops
        self.isDiverging = isDiverging
    }

    /// Dark blue-violet through teal and green to yellow (viridis, from its published values).
    public static let viridis = ColorMap(stops: [
        0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725,
    ].map { Color(hex: $0) })

    /// Blue through near-white to red, for signed values around zero (ColorBrewer's RdBu, reversed).
    public static let blueWhiteRed = ColorMap(stops: [
        0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B,
    ].map { Color(hex: $0) }, isDiverging: true)

    /// Near-white to dark blue (ColorBrewer's Blues): zero stays almost white, for counts
    /// where most cells are empty (a confusion matrix).
    public static let blues = ColorMap(stops: [
        0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
    ].map { Color(hex: $0) })

    /// The colour at `fraction` (0 at the low end, 1 at the high end; clamped).
    public func color(at fraction: Double) -> Color {
        let t = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let position = t * Double(stops.count - 1)
        let index = min(stops.count - 2, Int(position))
        return stops[index].blended(with: stops[index + 1], amount: position - Double(index))
    }
}
