import AtomicFiles
import Foundation
import NBRunEngine

/// `<output>/slurm/sweep.json`: what a Slurm sweep submitted, kept so that tasks find their
/// variant, a later command knows which variants are still queued or running (and submits
/// only the others), and a failed task can be named by its job ID and log.
public struct SlurmSweepRecord: Codable, Sendable, Equatable {
    /// nbrun's folder in the output folder for Slurm: this record and the tasks' logs.
    public static let folderName = OutputFolder.slurmFolderName
    /// Beside the record: the notebooks the submission compiled, which its tasks load.
    public static let pluginsFolderName = "plugins"
    public static let fileName = "sweep.json"
    /// A record is small; anything larger is not one of nbrun's.
    static let maximumSize = 16 << 20

    public var format = 1
    /// The sweep: the absolute manifest path, the `--set` and `--sweep` arguments, the cache.
    public var manifest: String
    public var fixed: [String]
    public var axes: [String]
    public var outputDirectory: String
    public var cacheDirectory: String?
    public var metric: String?
    /// Every variant's overrides (`stage.param=value`), in grid order.
    public var variants: [[String]]
    public var submissions: [Submission] = []

    public struct Submission: Codable, Sendable, Equatable {
        public var submittedAt: Date
        /// The nbrun binary the tasks run.
        public var nbrun: String
        public var sharedJob: SharedJob?
        public var arrayJobID: String
        /// `sbatch`'s arguments for the shared job (if any), then for the array.
        public var sbatchArguments: [[String]]
        public var tasks: [Task]
    }

    public struct SharedJob: Codable, Sendable, Equatable {
        public var jobID: String
        /// The stages the job computes (every variant's are the same).
        public var stages: [String]
        /// The variant whose parameters it uses.
        public var variant: Int
        public var log: String
    }

    public struct Task: Codable, Sendable, Equatable {
        /// Index into ``SlurmSweepRecord/variants``.
        public var variant: Int
        /// `<array>_<index>`, as Slurm names the task.
        public var jobID: String
        public var log: String
    }

    /// Whether `other` describes the same sweep (so its submissions carry on from this one's).
    func isSameSweep(as other: SlurmSweepRecord) -> Bool {
        manifest == other.manifest && fixed == other.fixed && axes == other.axes
            && outputDirectory == other.outputDirectory && cacheDirectory == other.cacheDirectory
    }

    /// The latest task submitted for `variant`, with its submission (whose shared job it waited for).
    func latestTask(for variant: Int) -> (task: Task, submission: Submission)? {
        for submission in submissions.reversed() {
            if let task = submission.tasks.first(where: { $0.variant == variant }) { return (task, submission) }
        }
        return nil
    }

    public static func url(in outputDirectory: URL) -> URL {
        outputDirectory.appendingPathComponent(folderName, isDirectory: true).appendingPathComponent(fileName)
    }

    /// Reads a record without following a link and without reading a FIFO or a huge file.
    /// Nil when there is none.
    public static func load(from url: URL) throws(SlurmError) -> SlurmSweepRecord? {
        let kind = FileKind.of(url.path)
        switch kind {
        case .missing: return nil
        case .regular(let size) where size <= maximumSize: break
        case .regular: throw .unreadableRecord(path: url.path, reason: "larger than \(maximumSize) bytes")
        default: throw .unreadableRecord(path: url.path, reason: "it is \(kind.description), not a regular file")
        }
        let descriptor = open(url.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .unreadableRecord(path: url.path, reason: String(cString: strerror(errno))) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data: Data
        do { data = try handle.read(upToCount: maximumSize + 1) ?? Data() } catch {
            throw .unreadableRecord(path: url.path, reason: "\(error)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(SlurmSweepRecord.self, from: data) } catch {
            throw .unreadableRecord(path: url.path, reason: "not a submission record of this nbrun (\(error))")
        }
    }

    /// Written atomically (temporary file, fsync, rename), so a task reading it never sees half of it.
    package func save(to url: URL) throws(StorageError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(self) else {
            throw .cannotWrite(path: url.path, reason: "the submission record cannot be encoded")
        }
        do { try AtomicFile.write(data, to: url) } catch { throw StorageError(error) }
    }
}
