/// How the bytes of a ``Bitmap`` are laid out per pixel.
public enum PixelFormat: Sendable, Hashable {
    case gray8, rgb8, rgba8

    public var channels: Int {
        switch self {
        case .gray8: 1
        case .rgb8: 3
        case .rgba8: 4
        }
    }
}

/// Raw 8-bit pixels, row after row with no padding: what PNG files hold and what
/// ``PNGWriter`` and ``PNGReader`` exchange.
public struct Bitmap: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let format: PixelFormat
    public var pixels: [UInt8]

    /// - Precondition: positive dimensions and `pixels.count == width × height × channels`.
    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "Bitmap needs positive dimensions, got \(width) × \(height)")
        precondition(pixels.count == width * height * format.channels,
                     "Bitmap of \(width) × \(height) \(format) needs \(width * height * format.channels) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// The channels of pixel (x, y), e.g. `[r, g, b]` for RGB.
    public func pixel(x: Int, y: Int) -> ArraySlice<UInt8> {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width) × \(height)")
        let start = (y * width + x) * format.channels
        return pixels[start..<start + format.channels]
    }

    /// Pixel (x, y) as an opaque colour (grey repeated, alpha ignored).
    public func color(x: Int, y: Int) -> Color {
        let channels = pixel(x: x, y: y)
        let start = channels.startIndex
        if format == .gray8 { return Color(gray: channels[start]) }
        return Color(red: channels[start], green: channels[start + 1], blue: channels[start + 2])
    }
}
