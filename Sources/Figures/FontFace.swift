// Implementation-only, not `internal import`: a notebook's plugin compiles against Figures'
// binary module, and an internal import would make it load CFreeType, whose header needs
// FreeType's own include folder on the plugin compiler's path. No FreeType type appears in
// any stored property or signature a client can see (only in this file's internal class), so
// the compiler's warning about layouts without library evolution does not apply here.
@_implementationOnly import CFreeType
import Foundation

/// A figure's text could not be set because its typeface is missing or unreadable.
public enum FontError: Error, Equatable, Sendable, CustomStringConvertible {
    /// None of the places the Debian package puts the font holds it.
    case missing(searched: [String], package: String)
    /// FreeType could not start or could not open the file (`code` is FreeType's error).
    case unusable(path: String, code: Int32)

    public var description: String {
        switch self {
        case let .missing(searched, package):
            "figures need the DejaVu Sans font, found in none of \(searched.joined(separator: ", ")); "
                + "install the Debian package \(package) (apt-get install \(package)), or point NBRUN_FIGURE_FONT_DIR at a folder holding DejaVuSans.ttf"
        case let .unusable(path, code): "FreeType cannot open the font \(path) (FreeType error \(code))"
        }
    }
}

/// Regular for labels, bold for titles.
public enum FontWeight: Sendable, Hashable {
    case regular, bold
}

/// One glyph rendered by FreeType: an 8-bit coverage mask and where it sits relative to
/// the pen on the baseline (y grows down).
struct GlyphImage {
    var width: Int
    var height: Int
    /// From the pen to the mask's left edge, and from the baseline up to its top edge.
    var left: Int
    var top: Int
    var coverage: [UInt8]
}

/// DejaVu Sans through FreeType: the one typeface every figure is set in, in both renderings.
///
/// Layout measures text with the font's unhinted advances (font units scaled linearly), so
/// a label is as wide in the PNG at any pixel density as in the SVG, where Chromium sets the
/// same DejaVu Sans from the same Debian package. Rendered glyphs are cached per size,
/// because a chart sets the same few digits hundreds of times.
final class FontFace: @unchecked Sendable {
    /// Where Debian's `fonts-dejavu-core` installs the fonts (and Fedora's and Homebrew's layouts).
    static let searchFolders = [
        "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts", "/usr/share/fonts/TTF",
        "/opt/homebrew/share/fonts", "/usr/local/share/fonts",
    ]
    static let package = "fonts-dejavu-core"

    /// The family name the SVG asks the browser for; the same file FreeType reads.
    static let familyName = "DejaVu Sans"

    private static let loaded: Result<[FontWeight: FontFace], FontError> = {
        var faces: [FontWeight: FontFace] = [:]
        for (weight, file) in [(FontWeight.regular, "DejaVuSans.ttf"), (.bold, "DejaVuSans-Bold.ttf")] {
            var folders = searchFolders
            if let custom = ProcessInfo.processInfo.environment["NBRUN_FIGURE_FONT_DIR"] { folders.insert(custom, at: 0) }
            let candidates = folders.map { "\($0)/\(file)" }
            guard let path = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
                return .failure(.missing(searched: candidates, package: package))
            }
            do throws(FontError) { faces[weight] = try FontFace(path: path) } catch { return .failure(error) }
        }
        return .success(faces)
    }()

    /// The face for `weight`, or the error naming the package to install.
    static func face(_ weight: FontWeight) throws(FontError) -> FontFace {
        switch loaded {
        case let .success(faces): return faces[weight]!
        case let .failure(error): throw error
        }
    }

    /// Whether the fonts are installed, for callers that want to report it before drawing.
    static func check() throws(FontError) { _ = try face(.regular) }

    let path: String
    let unitsPerEm: Double
    /// Ascender and descender (negative) in font units.
    let ascender: Double
    let descender: Double
    private let lock = NSLock()
    private var library: FT_Library?
    private var face: FT_Face?
    private var advances: [UInt32: Double] = [:]
    private var kernings: [UInt64: Double] = [:]
    private var glyphs: [GlyphKey: GlyphImage] = [:]
    private var currentSize: Int = -1

    private struct GlyphKey: Hashable {
        var scalar: UInt32
        /// The size in 1/64 pixel.
        var size: Int
    }

    private init(path: String) throws(FontError) {
        self.path = path
        var library: FT_Library?
        var error = FT_Init_FreeType(&library)
        guard error == 0 else { throw .unusable(path: path, code: error) }
        var face: FT_Face?
        error = FT_New_Face(library, path, 0, &face)
        guard error == 0, let face else {
            FT_Done_FreeType(library)
            throw .unusable(path: path, code: error)
        }
        self.library = library
        self.face = face
        unitsPerEm = Double(face.pointee.units_per_EM)
        ascender = Double(face.pointee.ascender)
        descender = Double(face.pointee.descender)
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    /// Whether the font has a glyph of its own for `scalar` (not the missing-glyph box).
    func hasGlyph(_ scalar: Unicode.Scalar) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return FT_Get_Char_Index(face, FT_ULong(scalar.value)) != 0
    }

    /// The advance of `scalar` in ems (unhinted), so width = Σ advance × size.
    func advance(_ scalar: Unicode.Scalar) -> Double {
        lock.lock(); defer { lock.unlock() }
        if let known = advances[scalar.value] { return known }
        var units: FT_Fixed = 0
        let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
        if FT_Get_Advance(face, index, FT_Int32(FT_LOAD_NO_SCALE), &units) != 0 { units = FT_Fixed(unitsPerEm / 2) }
        let ems = Double(units) / unitsPerEm
        advances[scalar.value] = ems
        return ems
    }

    /// The kerning between two neighbouring characters in ems (negative pulls them
    /// together, as "T" and "r"): Chromium applies the font's kerning to the SVG's text, so
    /// the layout's measure must too.
    func kerning(_ left: Unicode.Scalar, _ right: Unicode.Scalar) -> Double {
        let key = UInt64(left.value) << 32 | UInt64(right.value)
        lock.lock(); defer { lock.unlock() }
        if let known = kernings[key] { return known }
        var vector = FT_Vector()
        let error = FT_Get_Kerning(face, FT_Get_Char_Index(face, FT_ULong(left.value)),
                                   FT_Get_Char_Index(face, FT_ULong(right.value)), FT_UInt(FT_KERNING_UNSCALED.rawValue), &vector)
        let ems = error == 0 ? Double(vector.x) / unitsPerEm : 0
        kernings[key] = ems
        return ems
    }

    /// The rendered, anti-aliased glyph of `scalar` at `pixelSize` (pixels per em). A
    /// character the font lacks renders as the font's own missing-glyph box.
    func glyph(_ scalar: Unicode.Scalar, pixelSize: Double) -> GlyphImage {
        let size = max(1, Int((pixelSize * 64).rounded()))
        let key = GlyphKey(scalar: scalar.value, size: size)
        lock.lock(); defer { lock.unlock() }
        if let known = glyphs[key] { return known }
        if size != currentSize {
            FT_Set_Char_Size(face, 0, FT_F26Dot6(size), 72, 72)
            currentSize = size
        }
        let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
        var image = GlyphImage(width: 0, height: 0, left: 0, top: 0, coverage: [])
        if FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_RENDER) | FT_LOAD_TARGET_LIGHT_FLAG) == 0,
           let slot = face?.pointee.glyph {
            let bitmap = slot.pointee.bitmap
            let width = Int(bitmap.width), rows = Int(bitmap.rows), pitch = Int(bitmap.pitch)
            var coverage = [UInt8](repeating: 0, count: width * rows)
            if let buffer = bitmap.buffer, width > 0, rows > 0 {
                for row in 0..<rows {
                    let source = buffer + (pitch >= 0 ? row * pitch : (rows - 1 - row) * -pitch)
                    for column in 0..<width { coverage[row * width + column] = source[column] }
                }
            }
            image = GlyphImage(width: width, height: rows, left: Int(slot.pointee.bitmap_left),
                               top: Int(slot.pointee.bitmap_top), coverage: coverage)
        }
        glyphs[key] = image
        return image
    }
}

/// `FT_LOAD_TARGET_LIGHT` is a C macro Swift cannot import: light hinting snaps glyphs to
/// the pixel grid vertically only, which keeps their widths true to the unhinted layout.
private let FT_LOAD_TARGET_LIGHT_FLAG = FT_Int32((Int32(FT_RENDER_MODE_LIGHT.rawValue) & 15) << 16)
