import Foundation

/// What `nbrun clean` did.
public struct CleanReport: Sendable, Equatable {
    /// Paths removed, relative to the output folder.
    public var removed: [String] = []
    /// What was left in place because nbrun did not write it (relative paths, with the reason when useful).
    public var leftovers: [String] = []
    /// True when the output folder itself was removed (nbrun created it and nothing foreign was left in it).
    public var removedFolder = false
    /// True when everything in the folder was nbrun's and is gone (the folder itself stays
    /// when nbrun adopted it empty rather than creating it).
    public var removedEverything = false
}

/// Removes exactly what nbrun recorded in an output folder it owns, and nothing else:
/// the manifest's stage folders that carry a record (only the artifacts the record lists
/// and the record itself, then the folder if that emptied it), nbrun's own top-level files
/// and folders from ``OutputFolder/ownEntries``, and the marker and the lock last, only
/// when nothing foreign is left. Every step works on open folder descriptors and never
/// follows a link: a link anywhere is either one of nbrun's work folders' contents (unlinked
/// as a link) or not nbrun's (left and listed).
///
/// Call only while holding the output lock, so that a starting run cannot interleave.
struct OutputCleaner {
    let store: ArtifactStore
    let stageNames: [String]

    func clean() throws(StorageError) -> CleanReport {
        let path = store.outputDirectory.path
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(folder) }
        var report = CleanReport()
        for stage in stageNames.sorted() where !OutputFolder.isReserved(stage) {
            try cleanStage(stage, in: folder, into: &report)
        }
        for own in OutputFolder.ownEntries where own.name != OutputFolder.markerName && own.name != OutputFolder.lockName {
            let kind = FileKind.of(own.name, in: folder)
            switch (own.kind, kind) {
            case (_, .missing):
                continue
            case (.file, .regular):
                try unlink(own.name, in: folder, path: path)
                report.removed.append(own.name)
            case (.folder, .directory):
                try NoFollowRemoval.remove(own.name, in: folder, path: path + "/" + own.name, depth: 0)
                report.removed.append(own.name + "/")
            default:
                report.leftovers.append("\(own.name) (\(kind.description), not written by nbrun)")
            }
        }
        for name in try NoFollowRemoval.entries(of: folder, path: path) where OutputFolder.isTemporaryFile(name) {
            if NoFollowRemoval.unlinkFile(name, in: folder) { report.removed.append(name) }
        }
        let remaining = try NoFollowRemoval.entries(of: folder, path: path)
            .filter { $0 != OutputFolder.markerName && $0 != OutputFolder.lockName }
        // Entries already listed (a stage folder's leftovers, a link at an own name) are not listed twice.
        let listed = Set(report.leftovers.map { String($0.prefix { $0 != "/" && $0 != " " }) })
        for name in remaining where !listed.contains(name) {
            report.leftovers.append(FileKind.of(name, in: folder).isDirectory ? name + "/" : name)
        }
        guard remaining.isEmpty else { return report }
        // Nothing foreign is left: the folder was nbrun's alone. The lock goes last, while
        // still held; a run that opened it meanwhile notices it was unlinked and starts over.
        let created = store.folder.createdFolder()
        _ = NoFollowRemoval.unlinkFile(OutputFolder.markerName, in: folder)
        _ = NoFollowRemoval.unlinkFile(OutputFolder.lockName, in: folder)
        report.removedEverything = true
        report.removedFolder = created && rmdir(path) == 0
        return report
    }

    /// A stage folder loses the artifacts its record lists and the record; whatever else it
    /// holds is listed and kept, and so is the folder then.
    private func cleanStage(_ stage: String, in output: Int32, into report: inout CleanReport) throws(StorageError) {
        let path = store.stageDirectory(stage).path
        let kind = FileKind.of(stage, in: output)
        guard kind.exists else { return }
        guard kind.isDirectory else {
            report.leftovers.append("\(stage) (\(kind.description), not written by nbrun)")
            return
        }
        let folder = openat(output, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(folder) }
        let names = try NoFollowRemoval.entries(of: folder, path: path)
        guard names.isEmpty || FileKind.of(ArtifactStore.recordFileName, in: folder).isRegularFile else {
            report.leftovers.append("\(stage)/ (no \(ArtifactStore.recordFileName): not written by nbrun)")
            return
        }
        if case .present(let record) = store.loadRecord(stage) {
            for artifact in record.artifacts where NoFollowRemoval.unlinkFile(artifact.name, in: folder) {
                report.removed.append("\(stage)/\(artifact.name)")
            }
        }
        if NoFollowRemoval.unlinkFile(ArtifactStore.recordFileName, in: folder) {
            report.removed.append("\(stage)/\(ArtifactStore.recordFileName)")
        }
        let rest = try NoFollowRemoval.entries(of: folder, path: path)
        for name in rest { report.leftovers.append("\(stage)/\(name)") }
        if rest.isEmpty, unlinkat(output, stage, AT_REMOVEDIR) == 0 { report.removed.append(stage + "/") }
    }

    private func unlink(_ name: String, in folder: Int32, path: String) throws(StorageError) {
        guard unlinkat(folder, name, 0) == 0 || errno == ENOENT else {
            throw .cannotWrite(path: path + "/" + name, reason: String(cString: strerror(errno)))
        }
    }
}
