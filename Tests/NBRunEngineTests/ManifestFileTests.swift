import DemoNotebook
import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

/// A manifest path that is not a regular file gets a message saying what it is, at once:
/// never a hang, never "NSCocoaErrorDomain error 256", never "permission" for root
/// (issue 17, item 13).
@Suite("Manifest paths that are not manifest files")
struct ManifestFileTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbrun-manifest-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The planted paths: a FIFO (nobody writes to it), a device, a folder, a link loop,
    /// a missing file, a link to /dev/zero, and the reason each must give.
    func plantedPaths() throws -> [(path: String, reason: String)] {
        let fifo = folder.appendingPathComponent("fifo.manifest").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let loop = folder.appendingPathComponent("loop.manifest").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop2.manifest")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("loop2.manifest").path,
                                                   withDestinationPath: "loop.manifest")
        let zeroLink = folder.appendingPathComponent("zero.manifest").path
        try FileManager.default.createSymbolicLink(atPath: zeroLink, withDestinationPath: "/dev/zero")
        return [
            (fifo, "it is a FIFO (named pipe), not a manifest file"),
            ("/dev/zero", "it is a character device, not a manifest file"),
            (zeroLink, "it is a character device, not a manifest file"),
            (folder.path, "it is a folder, not a manifest file"),
            (loop, "the path is a loop of symbolic links"),
            (folder.appendingPathComponent("missing.manifest").path, "no such file"),
        ]
    }

    @Test func eachNonFileSaysWhatItIs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]))
        for (path, reason) in try plantedPaths() {
            #expect(throws: ManifestError.unreadable(file: path, reason: reason)) {
                try loader.load(contentsOf: URL(fileURLWithPath: path))
            }
        }
    }

    /// A sparse file over the cap is refused from its size, without reading 5 MB first.
    @Test func anOversizedFileIsRefusedFromItsSize() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("huge.manifest")
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data("title: x\n".utf8)))
        #expect(truncate(url.path, off_t(ManifestLoader.maximumSize + 1)) == 0)
        let loader = ManifestLoader(registry: try StageRegistry(plugins: [DemoNotebookPlugin()]))
        let error = #expect(throws: ManifestError.self) { try loader.load(contentsOf: url) }
        #expect(error?.description == "\(url.path): cannot read manifest: larger than 4194304 bytes, the limit for a manifest")
        let empty = folder.appendingPathComponent("empty.manifest")
        #expect(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        let emptyError = #expect(throws: ManifestError.self) { try loader.load(contentsOf: empty) }
        #expect(emptyError?.description.contains("an empty document") == true, "\(String(describing: emptyError))")
    }

    /// Every subcommand that reads a manifest, through the real executable, on every planted
    /// path and on an empty path: exit 2 with the reason, within seconds.
    @Test func theExecutableReportsEachAndNeverHangs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try #require(nbrunBinary, "build nbrun first (swift build --build-tests)")
        let cases = try plantedPaths() + [("", "the manifest path is empty")]
        for (path, reason) in cases {
            for subcommand in [["run"], ["status"], ["clean"], ["why", "--", "x"]] {
                let arguments = subcommand.count > 1 ? [subcommand[0], path, "x"] : subcommand + [path]
                let running = try RunningNBRun(binary, arguments, in: folder)
                let deadline = Date().addingTimeInterval(30)
                while running.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                if running.process.isRunning {
                    running.signal(SIGKILL)
                    Issue.record("nbrun \(arguments) hung")
                }
                let (status, output) = running.finish()
                #expect(status == 2, "nbrun \(arguments): \(output)")
                #expect(output.contains(reason), "nbrun \(arguments): \(output)")
                #expect(!output.contains("NSCocoaErrorDomain") && !output.contains("permission"), "\(output)")
            }
        }
    }
}
