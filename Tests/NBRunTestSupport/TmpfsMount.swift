import Foundation
import Testing

/// A tmpfs mounted for one test (a second file system beside the temporary folder's).
/// Where mounting is impossible the test is skipped with a note, and fails under `CI=true`.
package struct TmpfsMount {
    package let folder: URL

    package init?(in parent: URL, readOnly: Bool = false) throws {
        folder = parent.appendingPathComponent("tmpfs", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", readOnly ? "size=1m,ro" : "size=64m", "nbrun-test", folder.path]
        mount.standardError = FileHandle.nullDevice
        try? mount.run()
        mount.waitUntilExit()
        guard mount.terminationReason == .exit, mount.terminationStatus == 0 else {
            let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" && $0 != "false" } ?? false
            if ci { Issue.record("cannot mount a tmpfs (needs root and CAP_SYS_ADMIN): the second-file-system test must run in CI") }
            print("note: skipped: cannot mount a tmpfs here, so the cache cannot be put on a second file system")
            return nil
        }
    }

    package func unmount() {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [folder.path]
        try? umount.run()
        umount.waitUntilExit()
    }
}
