/// An opaque 8-bit sRGB colour.
public struct Color: Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(red: UInt8(hex >> 16 & 0xFF), green: UInt8(hex >> 8 & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// A grey level, 0 black to 255 white.
    public init(gray: UInt8) { self.init(red: gray, green: gray, blue: gray) }

    public static let white = Color(gray: 255)
    public static let black = Color(gray: 0)
    /// Axis and text grey: softer than black, still far above the contrast needed on white.
    public static let ink = Color(hex: 0x222222)
    public static let gridGray = Color(hex: 0xE4E4E4)

    /// Distinct series colours (the ten of matplotlib's default cycle, by value).
    public static let palette: [Color] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
        0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { Color(hex: $0) }

    /// Mixes `other` over `self` with coverage `amount` in [0, 1], for anti-aliased edges.
    public func blended(with other: Color, amount: Double) -> Color {
        let t = min(max(amount, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - t) + Double(b) * t).rounded()) }
        return Color(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the 8-bit values), used to pick
    /// black or white text over a coloured cell.
    public var luminance: Double {
        (0.2126 * Double(red) + 0.7152 * Double(green) + 0.0722 * Double(blue)) / 255
    }
}
