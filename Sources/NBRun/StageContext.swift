import AtomicFiles
import Foundation

/// Everything a running stage may touch: its parameters, the verified artifacts of the
/// stages it reads from, a staging folder for its own artifacts, printed output, progress.
///
/// What the stage writes is committed atomically by the runner when `run` returns
/// normally, and discarded when it throws or the process dies.
public final class StageContext: @unchecked Sendable {
    public let stageName: String
    /// Folder of the manifest; relative paths resolve against it.
    public let notebookDirectory: URL
    public let parameters: StageParameters
    /// Worker threads the stage may use.
    public let threadCount: Int
    /// This run's fingerprint: resumable state saved under another fingerprint (other
    /// parameters, code or inputs) must not be resumed from.
    public package(set) var fingerprint = ""

    /// A stage this one reads from: its committed folder and the artifacts its record lists.
    package struct Upstream: Sendable {
        package var stage: String
        package var directory: URL
        package var artifactNames: Set<String>

        package init(stage: String, directory: URL, artifactNames: Set<String>) {
            self.stage = stage
            self.directory = directory
            self.artifactNames = artifactNames
        }
    }

    package let stagingDirectory: URL
    let upstream: [Upstream]
    package let console: Console
    private let cancellation: CancellationFlag
    private let resumeURL: URL
    private let lock = NSLock()
    package private(set) var figures: [StageFigure] = []
    package private(set) var metrics: [String: Double] = [:]
    private var printed = ""

    package init(stageName: String, notebookDirectory: URL, parameters: StageParameters, threadCount: Int,
                 stagingDirectory: URL, resumeDirectory: URL, upstream: [Upstream],
                 console: Console, cancellation: CancellationFlag) {
        self.stageName = stageName
        self.notebookDirectory = notebookDirectory
        self.parameters = parameters
        self.threadCount = threadCount
        self.stagingDirectory = stagingDirectory
        self.resumeURL = resumeDirectory
        self.upstream = upstream
        self.console = console
        self.cancellation = cancellation
    }

    /// True after the user pressed Ctrl-C: long stages check it between batches and throw `CancellationError()`.
    public var isCancelled: Bool { cancellation.isCancelled }

    /// Everything the stage printed so far.
    public var printedOutput: String {
        lock.lock(); defer { lock.unlock() }
        return printed
    }

    /// An artifact of one of the stages this stage reads from (searched in declared
    /// order; an error if none or several have it), verified against its recorded SHA-256
    /// by the runner before the stage started.
    public func inputArtifact(_ name: String) throws -> URL {
        let holders = upstream.filter { $0.artifactNames.contains(name) }
        guard !holders.isEmpty else {
            throw StorageError.noSuchArtifact(name: name, searched: upstream.map(\.stage))
        }
        guard holders.count == 1 else {
            throw StorageError.ambiguousArtifact(name: name, stages: holders.map(\.stage))
        }
        return fileURL(of: name, in: holders[0])
    }

    public func inputArtifact(_ name: String, from stage: String) throws -> URL {
        guard let holder = upstream.first(where: { $0.stage == stage }) else {
            throw StorageError.notAnUpstream(stage: stage, reader: stageName)
        }
        guard holder.artifactNames.contains(name) else {
            throw StorageError.noSuchArtifact(name: name, searched: [stage])
        }
        return fileURL(of: name, in: holder)
    }

    /// The runner checks every upstream artifact's size and SHA-256 before the stage
    /// starts (recomputing a damaged producer), so here it only names the file.
    private func fileURL(of name: String, in holder: Upstream) -> URL {
        holder.directory.appendingPathComponent(name)
    }

    /// Where to write artifact `name` (a plain file name) inside the stage's staging folder.
    public func outputURL(for name: String) -> URL {
        precondition(Self.isValidArtifactName(name), StorageError.invalidArtifactName(name).description)
        return stagingDirectory.appendingPathComponent(name)
    }

    public func writeArtifact(_ data: Data, named name: String) throws {
        guard Self.isValidArtifactName(name) else { throw StorageError.invalidArtifactName(name) }
        do { try AtomicFile.write(data, to: stagingDirectory.appendingPathComponent(name)) } catch {
            throw StorageError(error)
        }
    }

    /// The file in a stage's folder that describes the folder, so no artifact can have its name.
    package static let recordFileName = "record.json"

    package static func isValidArtifactName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && name != recordFileName
    }

    /// Marks an already-written PNG artifact as a figure, shown in the report with `caption` as alt text.
    public func addFigure(_ name: String, caption: String) {
        lock.lock(); defer { lock.unlock() }
        figures.removeAll { $0.name == name }
        figures.append(StageFigure(name: name, caption: caption))
    }

    /// Records a measurement of this variant (a test accuracy, a final loss) in its record,
    /// so that `nbrun runs` and sweep reports can compare variants without parsing printed
    /// output. Recording a name again replaces its value. A name must be a short word
    /// (letters, digits, `-`, `_`, `.`) and the value finite: JSON has no NaN.
    public func recordMetric(_ name: String, _ value: Double) throws(StorageError) {
        guard Self.isValidMetricName(name) else {
            throw .invalidMetric(name: name, reason: "use 1–64 letters, digits, '-', '_' or '.'")
        }
        guard value.isFinite else { throw .invalidMetric(name: name, reason: "its value \(value) is not a finite number") }
        lock.lock(); defer { lock.unlock() }
        metrics[name] = value
    }

    package static func isValidMetricName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    /// Printed output: captured for the report and the stage record, and shown live.
    public func print(_ text: String) {
        lock.lock()
        printed += text.hasSuffix("\n") ? text : text + "\n"
        lock.unlock()
        console.line(text)
    }

    public func progress(total: Int, unit: String) -> ProgressReporter {
        ProgressReporter(console: console, label: stageName, total: total, unit: unit)
    }

    /// A folder private to this stage that survives failed or killed runs (for resumable
    /// checkpoints). Not an artifact; cleared after the stage commits, by `nbrun clean`, and
    /// before the stage runs under `--force` (which means "start over").
    public var resumeDirectory: URL {
        // Another nbrun's commit removes `.resume` when it finds it empty, which may fall between
        // making it and making this stage's folder inside (as with `.staging`): try again.
        var attempts = 0
        while (try? FileManager.default.createDirectory(at: resumeURL, withIntermediateDirectories: true)) == nil, attempts < 8 { attempts += 1 }
        return resumeURL
    }
}
