import Foundation
import MNIST
import SeededRandom
import Testing

/// Builds hostile MNIST folders by mutating valid ones: truncations, bit flips, header
/// fields set to edge values, inserted, deleted and random bytes, files swapped, and the
/// same applied to the gzip stream around them. Seeded, so any failure replays exactly.
struct MNISTFuzzer {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func below(_ bound: Int) -> Int { Int(random.uniform(below: UInt64(bound))) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }

    /// A small, valid image file and label file of the same count.
    mutating func validPair() -> (images: [UInt8], labels: [UInt8]) {
        let count = below(6), rows = 1 + below(5), columns = 1 + below(5)
        let labels = (0..<count).map { _ in UInt8(below(10)) }
        return (IDXBuilder.images(count: count, rows: rows, columns: columns, pixels: bytes(count * rows * columns)),
                IDXBuilder.labels(labels))
    }

    static let edgeValues: [UInt32] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000,
                                       0xFFFF_FFFF, 0x801, 0x803, 0x802, 0x0803_0000, 60_000, 28]

    /// One random structural change to an IDX file.
    mutating func mutate(_ file: inout [UInt8], other: [UInt8]) {
        switch below(10) {
        case 0:  // truncate
            file = Array(file.prefix(below(file.count + 1)))
        case 1:  // flip bits
            guard !file.isEmpty else { return }
            for _ in 0..<(1 + below(8)) { file[below(file.count)] ^= 1 << UInt8(below(8)) }
        case 2, 3:  // a header word set to an edge value or nudged by one
            let words = min(4, file.count / 4)
            guard words > 0 else { return }
            let offset = 4 * below(words)
            let current = UInt32(file[offset]) << 24 | UInt32(file[offset + 1]) << 16
                | UInt32(file[offset + 2]) << 8 | UInt32(file[offset + 3])
            let value = chance(50) ? Self.edgeValues[below(Self.edgeValues.count)]
                : (chance(50) ? current &+ 1 : current &- 1)
            file.replaceSubrange(offset..<offset + 4, with: IDXBuilder.bigEndian(value))
        case 4:  // insert random bytes
            file.insert(contentsOf: bytes(1 + below(16)), at: below(file.count + 1))
        case 5:  // append random bytes
            file.append(contentsOf: bytes(1 + below(32)))
        case 6:  // delete a range
            guard !file.isEmpty else { return }
            let start = below(file.count)
            file.removeSubrange(start..<min(file.count, start + 1 + below(8)))
        case 7:  // entirely random content
            file = bytes(below(64))
        case 8:  // the other file's content
            file = other
        default:  // random byte values, which in a label file are often not digits
            guard !file.isEmpty else { return }
            for _ in 0..<(1 + below(4)) { file[below(file.count)] = UInt8(below(256)) }
        }
    }

    /// One random change to a gzip stream: its header, deflate data, trailer or length.
    mutating func mutateCompressed(_ file: inout [UInt8]) {
        switch below(7) {
        case 0: file = Array(file.prefix(below(file.count + 1)))
        case 1:
            guard !file.isEmpty else { return }
            for _ in 0..<(1 + below(4)) { file[below(file.count)] ^= 1 << UInt8(below(8)) }
        case 2:  // header bytes: magic, method, flags, mtime, extra flags, OS
            file[below(min(10, file.count))] = UInt8(below(256))
        case 3:  // CRC-32 or length trailer
            guard file.count >= 8 else { return }
            file[file.count - 1 - below(8)] ^= UInt8(1 + below(255))
        case 4: file.append(contentsOf: bytes(1 + below(32)))
        case 5: file.insert(contentsOf: bytes(1 + below(8)), at: 0)
        default: file.append(contentsOf: file)  // two gzip members back to back
        }
    }

    struct Case {
        var images: [UInt8]
        var labels: [UInt8]
        var gzNames: Bool
        var verify: Bool
    }

    mutating func nextCase() -> Case {
        var (images, labels) = validPair()
        let (originalImages, originalLabels) = (images, labels)
        if !chance(10) {
            for _ in 0..<(1 + below(3)) {
                if chance(60) { mutate(&images, other: originalLabels) } else { mutate(&labels, other: originalImages) }
            }
        }
        if chance(5) {
            // A well-formed label file of another length: the files disagree on the count.
            labels = IDXBuilder.labels((0..<below(8)).map { _ in UInt8(below(10)) })
        }
        let compress = chance(65)
        if compress {
            images = gzipCompress(images)
            labels = gzipCompress(labels)
            if chance(60) {
                if chance(60) { mutateCompressed(&images) } else { mutateCompressed(&labels) }
            }
        }
        // Mostly names that match the content; sometimes gzip under a plain name (read
        // transparently) or plain bytes under a .gz name (must be refused).
        let gzNames = chance(90) ? compress : !compress
        return Case(images: images, labels: labels, gzNames: gzNames, verify: chance(10))
    }
}

/// The name of an error's case, to tally which defects the fuzzer reached.
func kind(of error: MNISTError) -> String {
    String(String(describing: Mirror(reflecting: error).children.first?.label ?? "\(error)").prefix(40))
}

@Suite("Fuzzing the IDX and gzip reader")
struct FuzzTests {
    /// A few thousand inputs by default; set NBRUN_FUZZ_ITERATIONS for a long run, and
    /// NBRUN_FUZZ_SEED to replay or vary one.
    static let iterations = Int(ProcessInfo.processInfo.environment["NBRUN_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let seed = UInt64(ProcessInfo.processInfo.environment["NBRUN_FUZZ_SEED"] ?? "") ?? 0x6E62_7275_6E

    @Test("mutated MNIST folders load correctly or fail with a typed error naming the file, never crash or hang")
    func fuzz() throws {
        let folder = try ScratchFolder("fuzz")
        defer { folder.remove() }
        var fuzzer = MNISTFuzzer(seed: Self.seed)
        var tally: [String: Int] = [:]
        var slowest = 0.0
        let started = Date()
        for iteration in 0..<Self.iterations {
            let testCase = fuzzer.nextCase()
            let suffix = testCase.gzNames ? ".gz" : ""
            for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
                unlink(folder.url.appendingPathComponent(testCase.gzNames ? name : name + ".gz").path)
            }
            try folder.write(testCase.images, to: "t10k-images-idx3-ubyte" + suffix)
            try folder.write(testCase.labels, to: "t10k-labels-idx1-ubyte" + suffix)

            let clock = Date()
            do {
                let dataset = try MNISTDataset.load(.test, from: folder.url, verifyChecksums: testCase.verify)
                #expect(dataset.images.count == dataset.count * dataset.rows * dataset.columns)
                #expect(dataset.labels.count == dataset.count && dataset.labels.allSatisfy { $0 < 10 })
                tally["loaded", default: 0] += 1
            } catch {
                // `load` throws MNISTError by its signature; the message must lead to the file.
                #expect(error.description.contains(folder.url.path), "iteration \(iteration): \(error)")
                tally[kind(of: error), default: 0] += 1
            }
            slowest = max(slowest, Date().timeIntervalSince(clock))
            if Self.iterations >= 100_000 && (iteration + 1) % 50_000 == 0 {
                // Standard error is unbuffered, so a long run shows its progress as it goes.
                FileHandle.standardError.write(Data(
                    "fuzz: \(iteration + 1) inputs, \(Int(Date().timeIntervalSince(started))) s, slowest \(slowest) s\n".utf8))
            }
        }
        print("fuzz: \(Self.iterations) inputs (seed \(Self.seed)) in \(Date().timeIntervalSince(started)) s,"
              + " slowest \(slowest) s: \(tally.sorted { $0.key < $1.key })")
        // No input may take long: everything is bounded by the file's size.
        #expect(slowest < 5)
        if Self.iterations >= 3000 {
            // The mutations reach the successful path and most defects, or the fuzzer is not doing its job.
            for expected in ["loaded", "truncatedCompressedData", "corruptCompressedData", "notGzip", "wrongMagic",
                             "truncatedHeader", "sizeMismatch", "countMismatch", "labelOutOfRange", "checksumMismatch"] {
                #expect(tally[expected] != nil, "no input produced \(expected): \(tally)")
            }
        }
    }
}
