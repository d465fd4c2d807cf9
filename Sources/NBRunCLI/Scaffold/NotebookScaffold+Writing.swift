import AtomicFiles
import Foundation
import NBRunEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NotebookScaffold {
    /// Writes the notebook into a new folder `root` (its parent must exist), never replacing
    /// anything: every folder is created with `mkdir` and every file linked into place, both
    /// of which fail if the name exists (even if another process created it a moment ago).
    /// On a failure, what this call created is removed and nothing else is touched.
    /// - Returns: the paths written, relative to `root`.
    public func write(into root: URL) throws(ScaffoldError) -> [String] {
        guard FileKind.following(root.deletingLastPathComponent().path) == .directory else {
            throw .noParentFolder(root.deletingLastPathComponent().path)
        }
        if Self.exists(root) { throw .exists(root.path) }

        var created: [URL] = []
        do throws(ScaffoldError) {
            guard mkdir(root.path, 0o755) == 0 else { throw Self.failure(root, errno) }
            created.append(root)
            for folder in folders {
                let url = root.appendingPathComponent(folder)
                guard mkdir(url.path, 0o755) == 0 else { throw Self.failure(url, errno) }
                created.append(url)
            }
            for file in files {
                let url = root.appendingPathComponent(file.path)
                // Written beside its place, then hard-linked: link() refuses an existing name.
                let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).new-\(getpid())")
                do { try AtomicFile.write(Data(file.content.utf8), to: temporary) } catch {
                    throw ScaffoldError.cannotWrite(path: url.path, reason: "\(error)")
                }
                let linked = link(temporary.path, url.path)
                let linkError = errno
                unlink(temporary.path)
                guard linked == 0 else { throw Self.failure(url, linkError) }
                created.append(url)
            }
        } catch {
            for url in created.reversed() where unlink(url.path) != 0 { rmdir(url.path) }
            throw error
        }
        return files.map(\.path)
    }

    /// Present under that name in any form, a dangling symbolic link included.
    private static func exists(_ url: URL) -> Bool {
        var status = stat()
        return lstat(url.path, &status) == 0
    }

    private static func failure(_ url: URL, _ code: Int32) -> ScaffoldError {
        code == EEXIST ? .exists(url.path) : .cannotWrite(path: url.path, reason: String(cString: strerror(code)))
    }
}
