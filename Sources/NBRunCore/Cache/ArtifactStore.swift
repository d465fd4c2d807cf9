import AtomicFiles
import Foundation

/// The on-disk layout of one notebook's outputs:
///
///     <output>/<stage>/            committed artifacts + record.json (written last)
///     <output>/.staging/<stage>-<pid>/   a stage's outputs while it runs
///     <output>/.trash/<stage>-<pid>/     the previous result during the swap
///     <output>/.resume/<stage>/    checkpoints that survive a failed or killed run
///     <output>/.lock               the advisory run lock
///     <output>/report.md
///
/// A commit renames the old folder aside, renames the new one in, then deletes the old:
/// a crash between the two renames is repaired by `recoverInterruptedCommits()`, so a
/// reader always finds either the old complete result or the new one.
public struct ArtifactStore: Sendable {
    public let outputDirectory: URL

    public init(outputDirectory: URL) {
        self.outputDirectory = outputDirectory
    }

    public enum RecordState: Sendable {
        case missing
        case damaged(reason: String)
        case present(StageRecord)
    }

    static let recordFileName = "record.json"

    var stagingRoot: URL { outputDirectory.appendingPathComponent(".staging") }
    var trashRoot: URL { outputDirectory.appendingPathComponent(".trash") }
    public var reportURL: URL { outputDirectory.appendingPathComponent("report.md") }
    public var lockURL: URL { outputDirectory.appendingPathComponent(".lock") }

    public func stageDirectory(_ stage: String) -> URL {
        outputDirectory.appendingPathComponent(stage, isDirectory: true)
    }

    public func resumeDirectory(_ stage: String) -> URL {
        outputDirectory.appendingPathComponent(".resume").appendingPathComponent(stage, isDirectory: true)
    }

    public func recordURL(_ stage: String) -> URL {
        stageDirectory(stage).appendingPathComponent(Self.recordFileName)
    }

    /// Creates the output folder (and parents) and checks that it can be written.
    public func prepareOutputDirectory() throws(StorageError) {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: outputDirectory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .cannotCreate(path: outputDirectory.path, reason: "a file is in the way of the output folder")
            }
        } else {
            do { try fileManager.createDirectory(at: outputDirectory, withIntermediateDirectories: true) } catch {
                throw .cannotCreate(path: outputDirectory.path, reason: (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription)
            }
        }
        guard access(outputDirectory.path, W_OK | X_OK) == 0 else {
            throw .cannotWrite(path: outputDirectory.path, reason: "the output folder is not writable")
        }
    }

    public func loadRecord(_ stage: String) -> RecordState {
        let url = recordURL(stage)
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        guard let data = try? Data(contentsOf: url) else { return .damaged(reason: "\(url.path) cannot be read") }
        do {
            let record = try StageRecord.decoder().decode(StageRecord.self, from: data)
            guard record.format == StageRecord.currentFormat, record.stage == stage else {
                return .damaged(reason: "\(url.path) is from another format or stage")
            }
            return .present(record)
        } catch {
            return .damaged(reason: "\(url.path) is damaged (\(Self.decodingSummary(error)))")
        }
    }

    static func decodingSummary(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted: return "not valid JSON"
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "unreadable"
        }
    }

    /// Fast check used to decide freshness without reading artifacts: each exists with its recorded size.
    public func quickCheck(_ record: StageRecord) -> String? {
        for artifact in record.artifacts {
            let url = stageDirectory(record.stage).appendingPathComponent(artifact.name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
                return "artifact \(url.path) is missing"
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            if size != artifact.size {
                return "artifact \(url.path) has \(size) bytes, recorded \(artifact.size)"
            }
        }
        return nil
    }

    /// Full check: every artifact's size and SHA-256 against the record.
    public func verify(_ record: StageRecord) -> StorageError? {
        for artifact in record.artifacts {
            let url = stageDirectory(record.stage).appendingPathComponent(artifact.name)
            guard FileManager.default.fileExists(atPath: url.path) else { return .artifactMissing(path: url.path) }
            let hash: String
            do { hash = try ContentHash.ofFile(at: url) } catch { return error }
            if hash != artifact.sha256 {
                return .artifactMismatch(path: url.path, expected: "SHA-256 \(artifact.sha256.prefix(12))…", found: "\(hash.prefix(12))…")
            }
        }
        return nil
    }

    /// A fresh, empty staging folder for a stage run by this process.
    public func makeStagingDirectory(_ stage: String) throws(StorageError) -> URL {
        let url = stagingRoot.appendingPathComponent("\(stage)-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .cannotCreate(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return url
    }

    /// Writes `record` into `staging` and swaps the folder in as the stage's committed result.
    public func commit(staging: URL, record: StageRecord) throws(StorageError) {
        let encoded: Data
        do { encoded = try StageRecord.encoder().encode(record) } catch {
            throw .cannotWrite(path: staging.path, reason: "record cannot be encoded")
        }
        do { try AtomicFile.write(encoded, to: staging.appendingPathComponent(Self.recordFileName)) } catch {
            throw StorageError(error)
        }
        let destination = stageDirectory(record.stage)
        let fileManager = FileManager.default
        var trash: URL?
        if fileManager.fileExists(atPath: destination.path) {
            let aside = trashRoot.appendingPathComponent("\(record.stage)-\(getpid())", isDirectory: true)
            try? fileManager.createDirectory(at: trashRoot, withIntermediateDirectories: true)
            try? fileManager.removeItem(at: aside)
            guard rename(destination.path, aside.path) == 0 else {
                throw .cannotWrite(path: destination.path, reason: String(cString: strerror(errno)))
            }
            trash = aside
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let trash { _ = rename(trash.path, destination.path) }
            throw .cannotWrite(path: destination.path, reason: reason)
        }
        if let trash { try? fileManager.removeItem(at: trash) }
    }

    /// Repairs what a killed run may have left: a commit interrupted between its two renames
    /// is completed (a staging folder with its record goes in) or rolled back (the old
    /// result comes back from the trash); all other staging and trash folders are removed.
    /// Call only while holding the run lock. Returns the paths removed or restored.
    @discardableResult
    public func recoverInterruptedCommits() -> [String] {
        let fileManager = FileManager.default
        var actions: [String] = []
        for root in [stagingRoot, trashRoot] {
            for name in (try? fileManager.contentsOfDirectory(atPath: root.path))?.sorted() ?? [] {
                let folder = root.appendingPathComponent(name)
                if let dash = name.lastIndex(of: "-") {
                    let stage = String(name[..<dash])
                    let destination = stageDirectory(stage)
                    let hasRecord = fileManager.fileExists(atPath: folder.appendingPathComponent(Self.recordFileName).path)
                    // Staging with a record means the new result was complete; trash holds the old one.
                    if !stage.isEmpty, hasRecord, !fileManager.fileExists(atPath: destination.path),
                       rename(folder.path, destination.path) == 0 {
                        actions.append("restored \(destination.path) from \(folder.path)")
                        continue
                    }
                }
                try? fileManager.removeItem(at: folder)
                actions.append("removed \(folder.path)")
            }
            try? fileManager.removeItem(at: root)
        }
        return actions
    }

    /// Removes the staging and trash roots when a run left them empty.
    func removeEmptyWorkFolders() {
        rmdir(stagingRoot.path)
        rmdir(trashRoot.path)
    }

    /// Deletes a stage's checkpoints so its next attempt starts over (`--force`). A folder that
    /// cannot be removed is an error: silently resuming would defeat the point of forcing.
    public func removeResumableState(_ stage: String) throws(StorageError) {
        let folder = resumeDirectory(stage)
        guard FileManager.default.fileExists(atPath: folder.path) else { return }
        do { try FileManager.default.removeItem(at: folder) } catch {
            throw .cannotWrite(path: folder.path, reason: "could not discard resumable state: \((error as NSError).localizedDescription)")
        }
    }
}
