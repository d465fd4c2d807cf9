import Foundation

/// Test-set results: accuracy, the confusion matrix and which images were missed.
public struct Evaluation: Codable, Equatable, Sendable {
    public var total: Int
    public var correct: Int
    /// `confusion[truth][prediction]`: how many images of digit `truth` were read as `prediction`.
    public var confusion: [[Int]]
    /// Indices of the misclassified test images, in file order.
    public var misclassified: [Int]

    public init(predictions: [Int], labels: [Int], classes: Int) {
        precondition(predictions.count == labels.count)
        total = labels.count
        confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        misclassified = []
        correct = 0
        for (index, (predicted, truth)) in zip(predictions, labels).enumerated() {
            confusion[truth][predicted] += 1
            if predicted == truth { correct += 1 } else { misclassified.append(index) }
        }
    }

    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Two decimals, as in "Accuracy: 98.77%".
    public var accuracyPercent: String { String(format: "%.2f", accuracy * 100) }
}
