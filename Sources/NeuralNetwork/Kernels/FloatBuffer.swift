#if canImport(Glibc)
import Glibc
#endif

/// Zeroed float buffers on 64-byte boundaries, for the matrices the kernels stream.
///
/// Why: the kernels load and store whole 64-byte vectors, and a packed panel row is two of
/// them. `UnsafeMutablePointer.allocate` promises only the alignment of a Float, and large
/// blocks from malloc start 16 bytes into a page, so every vector access of a panel would
/// straddle two cache lines. Free with `FloatBuffer.free`, never `deallocate()`.
enum FloatBuffer {
    static let alignment = 64

    static func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let count = max(count, 1)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, count * MemoryLayout<Float>.stride) == 0, let raw else {
            fatalError("out of memory allocating \(count) floats")
        }
        let floats = raw.bindMemory(to: Float.self, capacity: count)
        floats.initialize(repeating: 0, count: count)
        return floats
    }

    static func free(_ buffer: UnsafeMutablePointer<Float>) {
        Glibc.free(buffer)
    }
}
