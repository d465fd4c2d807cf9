import Foundation

extension Figure {
    /// A confusion matrix, `counts[true][predicted]`, as a heat map with each count in its
    /// cell, the predicted class along the bottom and the true class up the side.
    ///
    /// Shading follows log(1 + count) on a near-white-to-navy map: with a strong diagonal
    /// (about 1 000 per digit) a handful of confusions would stay invisible on a linear
    /// scale, and they are what the figure is for.
    public static func confusionMatrixFigure(counts: [[Int]], title: String, classLabels: [String]? = nil) -> Chart {
        let classes = counts.count
        precondition(classes > 0 && counts.allSatisfy { $0.count == classes },
                     "confusionMatrixFigure: counts must be square, got \(counts.map(\.count))")
        precondition(classLabels == nil || classLabels!.count == classes,
                     "confusionMatrixFigure: \(classLabels?.count ?? 0) labels for \(classes) classes")
        let labels = classLabels ?? (0..<classes).map(String.init)
        // Cells of about 44 CSS pixels, plus room for the axes and the colour bar.
        let side = Double(classes) * 44
        return Chart(title: title, x: .categories("Predicted", labels), y: .categories("True", labels),
                     width: side + 150, height: side + 90, equalAspect: true) {
            HeatmapMark(values: counts.map { $0.map(Double.init) }, colorMap: .blues, logarithmic: true,
                        cellLabels: counts.map { $0.map(String.init) }, colorBarLabel: "count")
        }
    }
}
