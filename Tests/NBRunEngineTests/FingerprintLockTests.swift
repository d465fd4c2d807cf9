import Foundation
import NBRunEngine
import NBRunTestSupport
import Testing

@Suite("The lock per variant: one holder per fingerprint, never through a link")
struct FingerprintLockTests {
    let fingerprint = String(repeating: "ab", count: 32)
    let other = String(repeating: "cd", count: 32)

    func temporaryCache() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fplock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(".cache")
    }

    func take(_ cache: URL, _ fingerprint: String, stage: String = "train", wait: Bool = false,
              cancellation: CancellationFlag? = nil, onWait: () -> Void = {}) throws -> FingerprintLock? {
        try FingerprintLock.acquire(cacheRoot: cache, stage: stage, fingerprint: fingerprint, wait: wait,
                                    cancellation: cancellation, onWait: onWait)
    }

    @Test func oneHolderPerFingerprintAndNoneAcrossFingerprints() throws {
        let cache = try temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.deletingLastPathComponent()) }
        let held = try #require(try take(cache, fingerprint))
        #expect(try take(cache, fingerprint) == nil, "a second holder of the same variant's lock")
        let otherVariant = try take(cache, other)
        #expect(otherVariant != nil, "another variant of the same stage must not wait")
        let otherStage = try take(cache, fingerprint, stage: "test")
        #expect(otherStage != nil, "the same fingerprint of another stage must not wait")
        held.release()
        #expect(try take(cache, fingerprint) != nil)
        #expect(FileKind.of(FingerprintLock.url(cacheRoot: cache, stage: "train", fingerprint: fingerprint).path).isRegularFile)
    }

    @Test func anotherProcessHoldingTheLockIsSeen() throws {
        let cache = try temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.deletingLastPathComponent()) }
        // Creates the folders and the file, so that flock(1) locks the very file nbrun uses.
        try #require(try take(cache, fingerprint)).release()
        let path = FingerprintLock.url(cacheRoot: cache, stage: "train", fingerprint: fingerprint).path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // -o: the command does not inherit the lock, so killing flock(1) releases it; the short
        // sleep outlives the kill only briefly (Foundation waits for it to close its output).
        holder.arguments = ["-o", path, "sleep", "5"]
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }; holder.waitUntilExit() }
        let deadline = Date().addingTimeInterval(10)
        var busy = false
        while !busy, Date() < deadline {
            if let lock = try take(cache, fingerprint) { lock.release(); Thread.sleep(forTimeInterval: 0.01) } else { busy = true }
        }
        #expect(busy, "flock(1) took the lock file nbrun uses")
        let waited = Box<Bool?>(nil)
        let acquired = Box<Bool?>(nil)
        Thread {
            let lock = try? self.take(cache, self.fingerprint, wait: true, onWait: { waited.value = true })
            acquired.value = lock != nil
            lock?.release()
        }.start()
        while waited.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(waited.value == true)
        #expect(acquired.value == nil, "must wait while the other process holds the lock")
        kill(holder.processIdentifier, SIGKILL)  // a holder killed with -9 releases it too
        while acquired.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(acquired.value == true)
    }

    @Test func ctrlCWhileWaitingStopsAtOnce() throws {
        let cache = try temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.deletingLastPathComponent()) }
        let held = try #require(try take(cache, fingerprint))
        defer { held.release() }
        let cancellation = CancellationFlag()
        let thrown = Box<RunError?>(nil)
        Thread {
            do { _ = try self.take(cache, self.fingerprint, wait: true, cancellation: cancellation) } catch {
                thrown.value = error as? RunError
            }
        }.start()
        Thread.sleep(forTimeInterval: 0.1)
        cancellation.cancel()
        let deadline = Date().addingTimeInterval(10)
        while thrown.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let path = FingerprintLock.url(cacheRoot: cache, stage: "train", fingerprint: fingerprint).path
        #expect(thrown.value == .interrupted(path: path))
    }

    @Test func aWaiterTakesTheNewFileWhenTheOldOneWasRemoved() throws {
        let cache = try temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.deletingLastPathComponent()) }
        let held = try #require(try take(cache, fingerprint))
        let acquired = Box<FingerprintLock?>(nil)
        let waited = Box<Bool?>(nil)
        Thread {
            acquired.value = try? self.take(cache, self.fingerprint, wait: true, onWait: { waited.value = true })
        }.start()
        let deadline = Date().addingTimeInterval(10)
        while waited.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        // What `clean` does to the whole cache while a process holds a variant's lock.
        try FileManager.default.removeItem(at: cache)
        held.release()
        while acquired.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let lock = try #require(acquired.value)
        defer { lock.release() }
        #expect(FileKind.of(lock.url.path).isRegularFile, "the lock is on the file now linked at its path")
        #expect(try take(cache, fingerprint) == nil, "the waiter holds the current file, so a third process waits")
    }

    @Test(arguments: ["", "locks", "locks/train"])
    func aLinkOnTheWayIsRefusedAndNothingIsCreatedBehindIt(_ linked: String) throws {
        let cache = try temporaryCache()
        let sandbox = cache.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let victim = sandbox.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        let link = linked.isEmpty ? cache : cache.appendingPathComponent(linked)
        try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: victim.path)
        do {
            _ = try take(cache, fingerprint)
            Issue.record("a link at \(link.path) must be refused")
        } catch let error as RunError {
            #expect(error.description.contains(link.path) && error.description.contains("symbolic link"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)
    }

    @Test func aLinkOrAFIFOAtTheLockFileIsRefusedUntouched() throws {
        let cache = try temporaryCache()
        let sandbox = cache.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let path = FingerprintLock.url(cacheRoot: cache, stage: "train", fingerprint: fingerprint)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let victim = sandbox.appendingPathComponent("victim.txt")
        try Data("precious".utf8).write(to: victim)
        try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: victim.path)
        do {
            _ = try take(cache, fingerprint)
            Issue.record("a link at the lock file must be refused")
        } catch let error as RunError {
            #expect(error.description.contains(path.path) && error.description.contains("symbolic link"), "\(error)")
        }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")

        try FileManager.default.removeItem(at: path)
        #expect(mkfifo(path.path, 0o644) == 0)
        do {
            _ = try take(cache, fingerprint)
            Issue.record("a FIFO at the lock file must be refused")
        } catch let error as RunError {
            #expect(error.description.contains(path.path) && error.description.contains("its lock file"), "\(error)")
        }
    }
}
