/// Which half of MNIST to load: the 60 000 training or the 10 000 test examples.
public enum MNISTSplit: String, Sendable, CaseIterable {
    case training
    case test

    /// The canonical name of the image file, without `.gz`.
    public var imagesFileName: String {
        switch self {
        case .training: "train-images-idx3-ubyte"
        case .test: "t10k-images-idx3-ubyte"
        }
    }

    /// The canonical name of the label file, without `.gz`.
    public var labelsFileName: String {
        switch self {
        case .training: "train-labels-idx1-ubyte"
        case .test: "t10k-labels-idx1-ubyte"
        }
    }

    /// SHA-256 of the decompressed image file of the original MNIST distribution.
    var imagesSHA256: String {
        switch self {
        case .training: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
        case .test: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
        }
    }

    /// SHA-256 of the decompressed label file of the original MNIST distribution.
    var labelsSHA256: String {
        switch self {
        case .training: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
        case .test: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
        }
    }
}
