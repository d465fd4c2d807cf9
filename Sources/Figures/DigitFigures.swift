/// The notebook's figures. Each returns a ``Canvas``; write it with ``PNGWriter``.
public enum Figure {}

/// Where a grid figure puts each image and its title, shared by drawing and tests.
struct GridLayout {
    var width: Int
    var height: Int
    /// Top-left corner of each image.
    var imageOrigins: [(x: Int, y: Int)]
    /// Top of each title line, and the horizontal centre it is centred on.
    var titleTops: [Int]
    var centers: [Int]
    var imagePixels: (width: Int, height: Int)
}

extension Figure {
    static let margin = 20
    /// Space between grid cells: rows need less, since titles already separate them.
    static let gap = 18
    static let columnGap = 30

    /// Lays out `count` images in `columns` columns, each `scale`× its size, each under a
    /// title of `titleScale`; the cell is wide enough for the longest title.
    static func gridLayout(count: Int, columns: Int, imageWidth: Int, imageHeight: Int, scale: Int,
                           titles: [String], titleScale: Int, heading: String?) -> GridLayout {
        let rows = max(1, (count + columns - 1) / columns)
        let imagePixels = (imageWidth * scale, imageHeight * scale)
        let longestTitle = titles.map { BitmapFont.size(of: $0, scale: titleScale).width }.max() ?? 0
        let cellWidth = max(imagePixels.0, longestTitle)
        let titleHeight = BitmapFont.lineHeight * titleScale
        let headingHeight = heading.map { _ in BitmapFont.lineHeight * 3 + gap } ?? 0
        let headingWidth = heading.map { BitmapFont.size(of: $0, scale: 3).width } ?? 0
        let cellHeight = titleHeight + 8 + imagePixels.1
        let gridWidth = columns * cellWidth + (columns - 1) * columnGap
        let width = 2 * margin + max(gridWidth, headingWidth)
        let height = 2 * margin + headingHeight + rows * cellHeight + (rows - 1) * gap
        let left = (width - gridWidth) / 2

        var origins: [(x: Int, y: Int)] = [], titleTops: [Int] = [], centers: [Int] = []
        for index in 0..<count {
            let cellX = left + (index % columns) * (cellWidth + columnGap)
            let cellY = margin + headingHeight + (index / columns) * (cellHeight + gap)
            centers.append(cellX + cellWidth / 2)
            titleTops.append(cellY)
            origins.append((cellX + (cellWidth - imagePixels.0) / 2, cellY + titleHeight + 8))
        }
        return GridLayout(width: width, height: height, imageOrigins: origins, titleTops: titleTops,
                          centers: centers, imagePixels: imagePixels)
    }

    /// A grid of digits, each with its title centred above it, like the notebook's
    /// matplotlib figure: white page, each digit upscaled by nearest neighbour in
    /// matplotlib's `gray` colour map (ink white on a black square).
    ///
    /// Used for sample training digits ("Label: 5") and for misclassified test digits
    /// ("P: 3 / T: 5"). `images` holds `imageWidth × imageHeight` bytes each; at most
    /// `rows × columns` of them.
    public static func digitGrid(
        images: [[UInt8]], titles: [String], rows: Int = 2, columns: Int = 8,
        imageWidth: Int = 28, imageHeight: Int = 28, scale: Int = 4, titleScale: Int = 2, heading: String? = nil
    ) -> Canvas {
        precondition(titles.count == images.count, "digitGrid: \(images.count) images but \(titles.count) titles")
        precondition(images.count <= rows * columns, "digitGrid: \(images.count) images do not fit \(rows) × \(columns)")
        let layout = gridLayout(count: images.count, columns: columns, imageWidth: imageWidth, imageHeight: imageHeight,
                                scale: scale, titles: titles, titleScale: titleScale, heading: heading)
        var canvas = Canvas(width: layout.width, height: layout.height)
        if let heading { canvas.drawText(heading, centerX: layout.width / 2, y: margin, scale: 3) }
        for (index, image) in images.enumerated() {
            canvas.drawText(titles[index], centerX: layout.centers[index], y: layout.titleTops[index], scale: titleScale)
            let origin = layout.imageOrigins[index]
            canvas.drawGrayImage(image, width: imageWidth, height: imageHeight, x: origin.x, y: origin.y, scale: scale)
        }
        return canvas
    }

    /// One digit, large, under a title such as "Prediction: 7 | True Label: 7".
    public static func predictionFigure(
        image: [UInt8], title: String, imageWidth: Int = 28, imageHeight: Int = 28, scale: Int = 10
    ) -> Canvas {
        let layout = gridLayout(count: 1, columns: 1, imageWidth: imageWidth, imageHeight: imageHeight,
                                scale: scale, titles: [title], titleScale: 2, heading: nil)
        var canvas = Canvas(width: layout.width, height: layout.height)
        canvas.drawText(title, centerX: layout.centers[0], y: layout.titleTops[0], scale: 2)
        let origin = layout.imageOrigins[0]
        canvas.drawGrayImage(image, width: imageWidth, height: imageHeight, x: origin.x, y: origin.y, scale: scale)
        return canvas
    }
}
