import Foundation
import MNIST
import NBRun

/// One batch's pixels and labels, allocated once per training run and refilled for every
/// batch, so the training loop allocates nothing.
public final class BatchBuffers {
    public let images: UnsafeMutableBufferPointer<Float>
    public let labels: UnsafeMutableBufferPointer<Int32>

    public init(batchSize: Int, pixelsPerImage: Int) {
        images = .allocate(capacity: batchSize * pixelsPerImage)
        images.initialize(repeating: 0)
        labels = .allocate(capacity: batchSize)
        labels.initialize(repeating: 0)
    }

    deinit {
        images.deallocate()
        labels.deallocate()
    }
}
