import Foundation

/// Says that something may have changed under the watched paths, promptly: inotify on every
/// watched folder and on the folder of every watched file (an editor that saves by renaming
/// a new file over the old one replaces the file, which a watch on the file itself would
/// lose), or, where inotify is unavailable or `NBRUN_WATCH_POLL` is set, a scan every
/// ``pollInterval``. It only wakes the watcher; ``InputSnapshot`` decides what changed.
public final class FileWatcher: @unchecked Sendable {
    public static let pollInterval: TimeInterval = 0.5
    /// Watches a folder tree gets at most (the kernel's default limit is 8192 per user).
    public static let maximumWatches = 4096

    public enum Mode: String, Sendable { case inotify, polling }
    public let mode: Mode

    private let onChange: @Sendable (String) -> Void
    private let lock = NSLock()
    private var roots: [String] = []
    private var excluded: [String] = []
    private var watches: [Int32: String] = [:]
    private var watchedPaths: Set<String> = []
    private var stopped = false
    private let descriptor: Int32
    private var thread: Thread?

    public init(forcePolling: Bool = !(ProcessInfo.processInfo.environment["NBRUN_WATCH_POLL"] ?? "").isEmpty,
                onChange: @escaping @Sendable (String) -> Void) {
        self.onChange = onChange
        descriptor = forcePolling ? -1 : inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        mode = descriptor >= 0 ? .inotify : .polling
    }

    /// Watches these files and folders from now on, never reporting anything under `excluding`.
    public func watch(_ paths: [String], excluding: [String]) {
        lock.lock()
        roots = paths
        excluded = excluding.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        lock.unlock()
        if mode == .inotify { synchronizeWatches() }
        if thread == nil {
            let thread = Thread { [weak self] in self?.loop() }
            thread.name = "nbrun watch: files"
            self.thread = thread
            thread.start()
        }
    }

    public func stop() {
        lock.lock(); stopped = true; lock.unlock()
    }

    private func isExcluded(_ path: String) -> Bool {
        excluded.contains { (path + "/").hasPrefix($0) }
    }

    /// Adds a watch on each folder the roots need (new folders appear, deleted ones come
    /// back), so that the set follows the tree.
    private func synchronizeWatches() {
        lock.lock()
        let roots = self.roots
        lock.unlock()
        var wanted: [String] = []
        for root in roots {
            var status = stat()
            if stat(root, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
                var pending = [root]
                while let folder = pending.popLast(), wanted.count < Self.maximumWatches {
                    if isExcluded(folder) { continue }
                    wanted.append(folder)
                    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !name.hasPrefix(".") {
                        var child = stat()
                        let path = folder + "/" + name
                        if lstat(path, &child) == 0, child.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
                    }
                }
            }
            // The folder holding a root (a manifest, a data file): saves by rename happen there,
            // and so does a root that is deleted and made again.
            var parent = (root as NSString).deletingLastPathComponent
            while !parent.isEmpty, stat(parent, &status) != 0 { parent = (parent as NSString).deletingLastPathComponent }
            if !parent.isEmpty { wanted.append(parent) }
        }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
                          | IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_ONLYDIR)
        lock.lock(); defer { lock.unlock() }
        for folder in wanted where !watchedPaths.contains(folder) {
            let watch = inotify_add_watch(descriptor, folder, mask)
            guard watch >= 0 else { continue }
            watches[watch] = folder
            watchedPaths.insert(folder)
        }
    }

    private func loop() {
        if mode == .polling { return poll() }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var lastSynchronized = Date()
        while true {
            lock.lock(); let stopped = self.stopped; lock.unlock()
            if stopped { close(descriptor); return }
            var pending = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&pending, 1, 250)
            var changed: [String] = []
            var needsSynchronizing = false
            if ready > 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                var offset = 0
                while count > 0, offset + MemoryLayout<inotify_event>.size <= count {
                    let (watch, mask, length) = buffer.withUnsafeBytes { bytes -> (Int32, UInt32, Int) in
                        let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                        return (event.wd, event.mask, Int(event.len))
                    }
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let name = length > 0
                        ? String(decoding: buffer[nameStart..<min(nameStart + length, count)].prefix { $0 != 0 }, as: UTF8.self) : ""
                    offset = nameStart + length
                    lock.lock()
                    let folder = watches[watch]
                    if mask & UInt32(IN_IGNORED) != 0, let folder {
                        watches[watch] = nil
                        watchedPaths.remove(folder)
                    }
                    lock.unlock()
                    guard let folder else { continue }
                    let path = name.isEmpty ? folder : folder + "/" + name
                    if mask & UInt32(IN_ISDIR) != 0 || mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 { needsSynchronizing = true }
                    if name.hasPrefix(".") || isExcluded(path) { continue }
                    changed.append(path)
                }
            }
            // Folders made, removed or made again (a deleted notebook restored): watch them.
            if needsSynchronizing || Date().timeIntervalSince(lastSynchronized) > 1 {
                let before = watchedCount
                synchronizeWatches()
                lastSynchronized = Date()
                if needsSynchronizing || watchedCount != before { changed.append(contentsOf: roots) }
            }
            if let first = changed.first { onChange(first) }
        }
    }

    private var watchedCount: Int {
        lock.lock(); defer { lock.unlock() }
        return watches.count
    }

    private func poll() {
        var last: InputSnapshot?
        while true {
            lock.lock()
            let (stopped, roots, excluded) = (self.stopped, self.roots, self.excluded)
            lock.unlock()
            if stopped { return }
            let now = InputSnapshot.take(roots: roots, excluding: excluded)
            if let last, let changed = now.changes(since: last).first { onChange(changed) }
            last = now
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }
}
