/// Cuts `0..<count` into contiguous slices, one per worker, whose starts are multiples of
/// `alignment` so each worker's vector loads begin on a fresh 16-float group.
///
/// The slice size is ⌈count / threads⌉ rounded up to the alignment, so the slices always
/// cover every element exactly once; `workerCount` is the number of non-empty slices (never
/// more than `threads`, never more than ⌈count / alignment⌉).
struct ContiguousSlices: Sendable, Equatable {
    let count: Int
    let sliceSize: Int
    let workerCount: Int

    init(count: Int, threads: Int, alignment: Int = 16) {
        precondition(count >= 0 && alignment > 0, "slicing needs count ≥ 0 and alignment > 0")
        self.count = count
        let threads = ParallelShards.clampedThreads(threads)
        guard count > 0 else {
            sliceSize = 0
            workerCount = 0
            return
        }
        let perThread = (count + threads - 1) / threads
        sliceSize = (perThread + alignment - 1) / alignment * alignment
        workerCount = (count + sliceSize - 1) / sliceSize
    }

    /// The elements worker `worker` (0..<workerCount) owns.
    func range(of worker: Int) -> Range<Int> {
        min(worker * sliceSize, count)..<min((worker + 1) * sliceSize, count)
    }
}
