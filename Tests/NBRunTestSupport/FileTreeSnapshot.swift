import Foundation
import NBRunEngine
import Testing

/// Every entry under a folder, described without following links: regular files by their
/// SHA-256, links by their target text, folders, FIFOs. Two snapshots compare equal when
/// nothing under the folder was added, removed, changed or swapped for a link, which is
/// how tests prove that nbrun left a user's files alone.
package struct FileTreeSnapshot: Equatable, CustomStringConvertible {
    package var entries: [String: String]

    /// Snapshots `root`, skipping relative paths for which `skip` is true (and what is under them).
    package init(of root: URL, skip: (String) -> Bool = { _ in false }) {
        entries = [:]
        walk(root.path, relative: "", skip: skip)
    }

    private mutating func walk(_ path: String, relative: String, skip: (String) -> Bool) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names {
            let childPath = path + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if skip(childRelative) { continue }
            var info = stat()
            guard lstat(childPath, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                entries[childRelative] = "folder"
                walk(childPath, relative: childRelative, skip: skip)
            case S_IFLNK:
                entries[childRelative] = "link:" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: childPath)) ?? "?")
            case S_IFREG:
                entries[childRelative] = "file:" + ((try? ContentHash.ofFile(at: URL(fileURLWithPath: childPath))) ?? "unreadable")
            case S_IFIFO:
                entries[childRelative] = "fifo"
            default:
                entries[childRelative] = "other"
            }
        }
    }

    /// What differs from `other`, one line per path, for a readable failure message.
    package func differences(from other: FileTreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().compactMap { key in
            let before = other.entries[key], after = entries[key]
            guard before != after else { return nil }
            return "\(key): \(before ?? "absent") → \(after ?? "absent")"
        }
    }

    package var description: String { entries.keys.sorted().map { "\($0) \(entries[$0]!)" }.joined(separator: "\n") }
}

/// A folder of scratch files for process tests, removed afterwards. Links inside are
/// removed as links (FileManager never follows them when deleting).
package final class Sandbox: @unchecked Sendable {
    package let root: URL

    package init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("nbrun-sandbox-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    package func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    @discardableResult
    package func folder(_ relative: String) throws -> URL {
        let url = url(relative)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @discardableResult
    package func file(_ relative: String, _ text: String) throws -> URL {
        let url = url(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    package func link(_ relative: String, to target: String) throws {
        try FileManager.default.createDirectory(at: url(relative).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url(relative).path, withDestinationPath: target)
    }

    package func fifo(_ relative: String) throws {
        try FileManager.default.createDirectory(at: url(relative).deletingLastPathComponent(), withIntermediateDirectories: true)
        guard mkfifo(url(relative).path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    package func exists(_ relative: String) -> Bool {
        var info = stat()
        return lstat(url(relative).path, &info) == 0
    }

    package func snapshot(skip: (String) -> Bool = { _ in false }) -> FileTreeSnapshot { FileTreeSnapshot(of: root, skip: skip) }

    /// Runs nbrun in `folder` (relative to the sandbox) with optional extra environment, and
    /// kills it when it outlives `timeout`: a hang is a failure, never a stuck test run.
    package func nbrun(_ arguments: [String], in folder: String = "", environment: [String: String] = [:],
               timeout: Double = 60) throws -> (status: Int32, output: String, timedOut: Bool) {
        let binary = try #require(nbrunBinary, "no nbrun executable next to the test bundle: run `swift build --build-tests` first")
        let log = root.appendingPathComponent(".nbrun-test-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder.isEmpty ? root : url(folder)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { timedOut = true; process.terminate(); kill(process.processIdentifier, SIGKILL); break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, timedOut)
    }
}
