import AtomicFiles
internal import CLibPNG
import Foundation

/// Encodes 8-bit grayscale, RGB or RGBA pixels as PNG through libpng's simplified API.
public enum PNGWriter {
    /// Encodes `bitmap` in memory; `path` only names the destination in errors.
    public static func encode(_ bitmap: Bitmap, for path: String = "<memory>") throws(PNGError) -> [UInt8] {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(bitmap.width)
        image.height = png_uint_32(bitmap.height)
        image.format = bitmap.format.libpngFormat
        let stride = Int32(bitmap.width * bitmap.format.channels)

        // First call measures, second call encodes into a buffer of that size.
        var size = 0
        let measured = bitmap.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, stride, nil)
        }
        guard measured != 0 else { throw .encodingFailed(path: path, message: image.messageText) }
        var output = [UInt8](repeating: 0, count: size)
        let encoded = bitmap.pixels.withUnsafeBytes { pixels in
            output.withUnsafeMutableBytes { memory in
                png_image_write_to_memory(&image, memory.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
            }
        }
        png_image_free(&image)
        guard encoded != 0 else { throw .encodingFailed(path: path, message: image.messageText) }
        return Array(output.prefix(size))
    }

    /// Writes `bitmap` to `url` atomically: on failure nothing is left half-written and a
    /// file already at `url` keeps its old content.
    public static func write(_ bitmap: Bitmap, to url: URL) throws(PNGError) {
        let bytes = try encode(bitmap, for: url.path)
        do { try AtomicFile.write(bytes, to: url.path) } catch { throw .writeFailed(path: error.path, reason: error.reason) }
    }

    /// Writes a canvas as an RGB PNG.
    public static func write(_ canvas: Canvas, to url: URL) throws(PNGError) {
        try write(canvas.bitmap, to: url)
    }
}

/// Decodes PNG files through libpng's simplified API, converting to the format asked for.
public enum PNGReader {
    public static func read(from url: URL, as format: PixelFormat = .rgb8) throws(PNGError) -> Bitmap {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, url.path) != 0 else {
            throw .readFailed(path: url.path, message: image.messageText)
        }
        image.format = format.libpngFormat
        let width = Int(image.width), height = Int(image.height)
        var pixels = [UInt8](repeating: 0, count: width * height * format.channels)
        let finished = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * format.channels), nil)
        }
        guard finished != 0 else {
            png_image_free(&image)
            throw .readFailed(path: url.path, message: image.messageText)
        }
        return Bitmap(width: width, height: height, format: format, pixels: pixels)
    }
}

extension PixelFormat {
    var libpngFormat: png_uint_32 {
        switch self {
        case .gray8: png_uint_32(PNG_FORMAT_GRAY)
        case .rgb8: png_uint_32(PNG_FORMAT_RGB)
        case .rgba8: png_uint_32(PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA)
        }
    }
}

extension png_image {
    /// libpng's error or warning text, stored in a fixed 64-byte field.
    var messageText: String {
        var copy = message
        return withUnsafeBytes(of: &copy) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "libpng reported no detail" : String(decoding: bytes, as: UTF8.self)
        }
    }
}
