import AtomicFiles
import Foundation

/// The files `report.html` loads, kept in `<output>/report-assets/`: KaTeX's script,
/// stylesheet and fonts, copied from Debian's `libjs-katex` so that math is typeset with
/// no network, plus the page's stylesheet and script.
///
/// The folder belongs to nbrun but sits in a folder users and downloaded repositories can
/// write to, so nothing in it is trusted: a link, FIFO or other non-regular entry planted
/// where an asset or folder goes is replaced, never followed, and a file is rewritten
/// only when its bytes differ, so reruns leave the folder untouched.
public enum ReportAssets {
    public static let folderName = "report-assets"
    public static let defaultKaTeXDirectory = URL(fileURLWithPath: "/usr/share/javascript/katex")
    /// Far above KaTeX's largest file (270 KB); a bound so that a damaged installation
    /// cannot make a run read without end.
    static let maximumAssetSize = 16 << 20

    /// The KaTeX files the page needs, by their path under `report-assets/katex/`, or
    /// nil when KaTeX is not installed. Only WOFF2 fonts are copied: every browser that
    /// runs KaTeX 0.16 reads them, and the stylesheet lists them first.
    static func katexFiles(in directory: URL) throws(ReportError) -> [(name: String, bytes: Data)]? {
        let script = directory.appendingPathComponent("katex.min.js")
        guard FileManager.default.fileExists(atPath: script.path) else { return nil }
        var files: [(String, Data)] = []
        for name in ["katex.min.js", "katex.min.css"] {
            files.append((name, try readRegularFile(directory.appendingPathComponent(name))))
        }
        let fonts = directory.appendingPathComponent("fonts")
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: fonts.path) } catch {
            throw .unreadableAsset(path: fonts.path, reason: (error as NSError).localizedDescription)
        }
        for name in names.sorted() where name.hasPrefix("KaTeX_") && name.hasSuffix(".woff2") && !name.contains("/") {
            files.append(("fonts/" + name, try readRegularFile(fonts.appendingPathComponent(name))))
        }
        return files
    }

    /// Copies what the page needs into `<output>/report-assets/`. Returns whether KaTeX
    /// is among it.
    static func install(into outputDirectory: URL, katexDirectory: URL) throws(ReportError) -> Bool {
        let folder = outputDirectory.appendingPathComponent(folderName, isDirectory: true)
        try ensureDirectory(folder)
        try writeIfChanged(Data(ReportStylesheet.css.utf8), to: folder.appendingPathComponent("nbrun.css"))
        try writeIfChanged(Data(ReportScript.javaScript.utf8), to: folder.appendingPathComponent("nbrun.js"))
        guard let katex = try katexFiles(in: katexDirectory) else { return false }
        let katexFolder = folder.appendingPathComponent("katex", isDirectory: true)
        try ensureDirectory(katexFolder)
        try ensureDirectory(katexFolder.appendingPathComponent("fonts", isDirectory: true))
        for file in katex {
            try writeIfChanged(file.bytes, to: katexFolder.appendingPathComponent(file.name))
        }
        return true
    }

    /// A real directory at `url`: a link or any other non-directory there is removed
    /// (not followed) and a directory made in its place.
    static func ensureDirectory(_ url: URL) throws(ReportError) {
        var status = stat()
        if lstat(url.path, &status) == 0 {
            if status.st_mode & S_IFMT == S_IFDIR { return }
            guard unlink(url.path) == 0 else { throw .cannotWrite(path: url.path, reason: systemReason()) }
        } else if errno != ENOENT {
            throw .cannotWrite(path: url.path, reason: systemReason())
        }
        guard mkdir(url.path, 0o755) == 0 || errno == EEXIST else { throw .cannotWrite(path: url.path, reason: systemReason()) }
        // Raced by a link planted between the check and mkdir: refuse rather than follow it.
        guard lstat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotWrite(path: url.path, reason: "it is not a folder (a link or file was put there while nbrun wrote it)")
        }
    }

    /// Leaves an identical regular file alone; otherwise writes atomically, which
    /// replaces a link or FIFO itself rather than writing through it.
    static func writeIfChanged(_ bytes: Data, to url: URL) throws(ReportError) {
        if let existing = try? readRegularFile(url, followingLinks: false), existing == bytes { return }
        do { try AtomicFile.write(bytes, to: url) } catch { throw .cannotWrite(path: error.path, reason: error.reason) }
    }

    /// A regular file's bytes, through one descriptor (so the file checked is the file
    /// read), without blocking on a FIFO and within `maximumAssetSize`. The system's
    /// KaTeX package itself uses links (`katex.min.js` → `katex.js`), so sources follow
    /// them; files in the output folder do not.
    static func readRegularFile(_ url: URL, followingLinks: Bool = true) throws(ReportError) -> Data {
        let descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else { throw .unreadableAsset(path: url.path, reason: systemReason()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadableAsset(path: url.path, reason: systemReason()) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .unreadableAsset(path: url.path, reason: "not a regular file") }
        guard status.st_size <= maximumAssetSize else {
            throw .unreadableAsset(path: url.path, reason: "\(status.st_size) bytes, more than the \(maximumAssetSize) an asset may have")
        }
        var data = Data(count: Int(status.st_size))
        var offset = 0
        while offset < data.count {
            let count = data.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw .unreadableAsset(path: url.path, reason: count == 0 ? "the file shrank while it was read" : systemReason())
            }
            offset += count
        }
        return data
    }

    private static func systemReason() -> String { String(cString: strerror(errno)) }
}
