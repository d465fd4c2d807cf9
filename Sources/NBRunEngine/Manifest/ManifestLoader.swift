import Foundation
import Yams

/// Reads a manifest (YAML, through Yams' node API so every error keeps its line and
/// column) and validates it against the registered stage kinds.
public struct ManifestLoader: Sendable {
    public var registry: StageRegistry
    /// Whether `.path` parameters must name something that exists (off for fuzzing).
    public var checksPathsExist: Bool

    /// Manifests are small; a cap keeps hostile input from costing unbounded time.
    public static let maximumSize = 4 << 20

    public init(registry: StageRegistry, checksPathsExist: Bool = true) {
        self.registry = registry
        self.checksPathsExist = checksPathsExist
    }

    public func load(contentsOf url: URL, overrides: [ParameterOverride] = []) throws(ManifestError) -> Manifest {
        let data = try ManifestFile.read(url, limit: Self.maximumSize)
        return try parse(data, fileURL: url, overrides: overrides)
    }

    /// `manifest` with more overrides, checked as `--set` is, without reading its file again
    /// (a sweep's variants are the manifest it was given, each with its combination).
    public func applying(_ overrides: [ParameterOverride], to manifest: Manifest) throws(ManifestError) -> Manifest {
        let reader = ManifestNodeReader(file: manifest.fileURL.path, registry: registry, notebookDirectory: manifest.notebookDirectory,
                                        checksPathsExist: checksPathsExist)
        var manifest = manifest
        try reader.apply(overrides, to: &manifest)
        return manifest
    }

    public func parse(_ data: Data, fileURL: URL, overrides: [ParameterOverride] = []) throws(ManifestError) -> Manifest {
        let file = fileURL.path
        guard data.count <= Self.maximumSize else {
            throw .unreadable(file: file, reason: ManifestFile.tooLarge(Self.maximumSize))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: file, reason: "not valid UTF-8 text")
        }
        guard !text.contains("\0") else {
            throw .unreadable(file: file, reason: "contains a NUL byte")
        }
        if let excess = ManifestNesting.firstExcess(in: text, limit: Self.maximumNesting) {
            throw .nestedTooDeeply(ManifestLocation(file: file, line: excess.line, column: excess.column),
                                   depth: excess.depth, limit: Self.maximumNesting)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.translate(error, file: file)
        } catch {
            throw .malformedYAML(ManifestLocation(file: file, line: 0, column: 0), problem: "\(error)")
        }
        var reader = ManifestNodeReader(file: file, registry: registry, notebookDirectory: fileURL.deletingLastPathComponent(), checksPathsExist: checksPathsExist)
        guard let root else {
            throw .expected(ManifestLocation(file: file, line: 1, column: 1), what: "a mapping with 'title' and 'cells'", found: "an empty document")
        }
        var manifest = try reader.readManifest(root, fileURL: fileURL)
        try reader.apply(overrides, to: &manifest)
        return manifest
    }

    /// Far deeper than any manifest needs, and shallow enough that the YAML composer's
    /// recursion cannot exhaust the stack on hostile input. Measured on the parsed
    /// structure (see `ManifestNesting`), so brackets in quoted text or prose do not count.
    public static let maximumNesting = 200

    /// Far more stages than a notebook needs: each is a folder of artifacts and a section of
    /// the report. The cap bounds the work of validating and planning a hostile manifest.
    public static let maximumStages = 1000

    static func translate(_ error: YamlError, file: String) -> ManifestError {
        func location(_ mark: Mark) -> ManifestLocation {
            ManifestLocation(file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? problem
            return .malformedYAML(location(mark), problem: detail)
        case .reader(let problem, let offset, _, _):
            return .malformedYAML(ManifestLocation(file: file, line: 0, column: 0),
                                  problem: problem + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return .malformedYAML(ManifestLocation(file: file, line: 0, column: 0), problem: "\(error)")
        }
    }
}

/// The structural walk over the composed YAML tree.
struct ManifestNodeReader {
    let file: String
    let registry: StageRegistry
    let notebookDirectory: URL
    let checksPathsExist: Bool

    static let topLevelKeys = ["title", "output", "uses", "cells"]
    static let stageKeys = ["stage", "kind", "parameters", "reads", "watch"]

    func location(_ node: Node) -> ManifestLocation {
        guard let mark = node.mark else { return ManifestLocation(file: file, line: 0, column: 0) }
        return ManifestLocation(file: file, line: mark.line, column: mark.column)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string.prefix(60))'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// A mapping's entries as (key text, key node, value), rejecting non-scalar and duplicate keys
    /// and keys outside `allowed`.
    func entries(of node: Node, what: String, allowed: [String]?) throws(ManifestError) -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw .expected(location(node), what: what, found: describe(node))
        }
        var seen: Set<String> = []
        var result: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw .expected(location(key), what: "a plain key", found: describe(key))
            }
            let name = scalar.string
            if let allowed, !allowed.contains(name) {
                throw .unknownKey(location(key), key: name, allowed: allowed)
            }
            guard seen.insert(name).inserted else { throw .duplicateKey(location(key), key: name) }
            result.append((name, key, value))
        }
        return result
    }

    func scalarText(_ node: Node, what: String) throws(ManifestError) -> String {
        guard case .scalar(let scalar) = node else {
            throw .expected(location(node), what: what, found: describe(node))
        }
        return scalar.string
    }

    mutating func readManifest(_ root: Node, fileURL: URL) throws(ManifestError) -> Manifest {
        let fields = try entries(of: root, what: "a mapping with 'title' and 'cells'", allowed: Self.topLevelKeys)
        var title: String?
        var output: String?
        var cellsNode: Node?
        for (key, _, value) in fields {
            switch key {
            case "title": title = try scalarText(value, what: "a title (text)")
            case "output":
                let text = try scalarText(value, what: "an output folder path")
                guard !text.trimmingCharacters(in: .whitespaces).isEmpty, !text.contains("\0") else {
                    throw .expected(location(value), what: "an output folder path", found: "'\(text)'")
                }
                output = text
            case "uses": _ = try Self.usedManifests(value, file: file)
            default: cellsNode = value
            }
        }
        guard let title else { throw .missingKey(location(root), key: "title", in: "the manifest") }
        guard let cellsNode else { throw .missingKey(location(root), key: "cells", in: "the manifest") }
        guard case .sequence(let cellNodes) = cellsNode else {
            throw .expected(location(cellsNode), what: "a list of cells", found: describe(cellsNode))
        }
        var cells: [Cell] = []
        var stageCount = 0
        for cellNode in cellNodes {
            let cell = try readCell(cellNode)
            if case .stage = cell {
                stageCount += 1
                guard stageCount <= ManifestLoader.maximumStages else {
                    throw .tooManyStages(location(cellNode), limit: ManifestLoader.maximumStages)
                }
            }
            cells.append(cell)
        }
        try validateReads(cells)
        return Manifest(fileURL: fileURL, title: title, declaredOutput: output, cells: cells)
    }

    /// `uses:`: the manifests whose notebooks' stages this one may name, as a list of paths
    /// relative to the manifest's folder (or one path).
    static func usedManifests(_ node: Node, file: String) throws(ManifestError) -> [String] {
        func location(_ node: Node) -> ManifestLocation {
            ManifestLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        }
        let what = "a list of manifest paths such as [LSTM.manifest]"
        let items: [Node]
        switch node {
        case .sequence(let sequence): items = Array(sequence)
        case .scalar: items = [node]
        case .mapping: throw .expected(location(node), what: what, found: "a mapping")
        }
        return try items.map { item throws(ManifestError) in
            guard case .scalar(let scalar) = item, scalar.string.hasSuffix(".manifest") else {
                let found = if case .scalar(let scalar) = item { "'\(scalar.string.prefix(60))'" } else { "a collection" }
                throw .expected(location(item), what: what, found: found)
            }
            return scalar.string
        }
    }

    func readCell(_ node: Node) throws(ManifestError) -> Cell {
        guard case .mapping(let mapping) = node else {
            throw .expected(location(node), what: "a cell ('prose:' or 'stage:')", found: describe(node))
        }
        let keys = mapping.keys.compactMap(\.string)
        if keys.contains("prose") {
            let fields = try entries(of: node, what: "a prose cell", allowed: ["prose"])
            return .prose(try scalarText(fields[0].2, what: "Markdown text"))
        }
        if keys.contains("code") {
            let fields = try entries(of: node, what: "a code cell", allowed: ["code"])
            let reference = try scalarText(fields[0].2, what: "code such as 'Module/File.swift#name'")
            return .code(try readCode(reference, at: location(fields[0].2)))
        }
        guard keys.contains("stage") || keys.contains("kind") else {
            if let first = mapping.keys.first, let name = first.string {
                throw .unknownKey(location(first), key: name, allowed: ["prose", "code"] + Self.stageKeys)
            }
            throw .expected(location(node), what: "a cell ('prose:' or 'stage:')", found: describe(node))
        }
        return .stage(try readStage(node))
    }

    /// `Module/File.swift` or `Module/File.swift#name`, from the library sources embedded
    /// in nbrun (the modules some notebook reaches).
    func readCode(_ reference: String, at location: ManifestLocation) throws(ManifestError) -> CodeCell {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard path.count == 2, !path[0].isEmpty, path[1].hasSuffix(".swift") else {
            throw .codeNotFound(location, reference: reference, reason: "write it as Module/File.swift or Module/File.swift#name")
        }
        let module = String(path[0]), file = String(path[1])
        guard let moduleText = registry.librarySources[module] else {
            let known = registry.librarySources.keys.sorted().joined(separator: ", ")
            throw .codeNotFound(location, reference: reference, reason: "no module '\(module)' in nbrun's embedded sources; known: \(known)")
        }
        guard let fileText = CodeExcerpt.file(file, inModuleText: moduleText) else {
            throw .codeNotFound(location, reference: reference, reason: "module \(module) has no file \(file)")
        }
        guard parts.count == 2 else {
            return CodeCell(reference: reference, text: fileText.trimmingCharacters(in: .newlines), location: location)
        }
        guard let text = CodeExcerpt.declaration(String(parts[1]), in: fileText) else {
            throw .codeNotFound(location, reference: reference, reason: "\(module)/\(file) declares nothing named '\(parts[1])'")
        }
        return CodeCell(reference: reference, text: text, location: location)
    }

    func readStage(_ node: Node) throws(ManifestError) -> StageCell {
        let fields = try entries(of: node, what: "a stage cell", allowed: Self.stageKeys)
        var name = "", kind: String?, kindNode: Node?
        var parametersNode: Node?, readsNode: Node?
        var nameNode = node
        var rerunByWatch = true
        for (key, _, value) in fields {
            switch key {
            case "stage": name = try scalarText(value, what: "a stage name"); nameNode = value
            case "kind": kind = try scalarText(value, what: "a stage kind such as 'plugin.stage'"); kindNode = value
            case "parameters": parametersNode = value
            case "watch":
                switch try scalarText(value, what: "'auto' or 'manual'") {
                case "auto": rerunByWatch = true
                case "manual": rerunByWatch = false
                case let other: throw .expected(location(value), what: "'auto' or 'manual' (whether `nbrun watch` reruns this stage on a save)", found: "'\(other.prefix(60))'")
                }
            default: readsNode = value
            }
        }
        let named = fields.contains { $0.0 == "stage" }
        if named {
            guard Self.isValidStageName(name) else { throw .invalidStageName(location(nameNode), name: name) }
        }
        guard let kind, let kindNode else { throw .missingKey(location(node), key: "kind", in: "stage '\(name)'") }
        if !named {
            // `- kind: lstm.train` is the stage `train`: the name is said once, in the kind.
            name = String(kind.split(separator: ".", omittingEmptySubsequences: false).last ?? "")
            nameNode = kindNode
            guard Self.isValidStageName(name) else { throw .invalidStageName(location(kindNode), name: name) }
        }
        guard let entry = registry[kind] else {
            throw .unknownStageKind(location(kindNode), kind: kind, known: registry.kinds)
        }
        let specs = entry.stageType.parameters
        var values: [String: ParameterValue] = [:]
        for spec in specs { values[spec.name] = spec.defaultValue }
        var manifestSet: Set<String> = []
        if let parametersNode {
            // `parameters:` with nothing after it is an empty mapping, not an error.
            let isEmpty: Bool = if case .scalar(let scalar) = parametersNode, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { true } else { false }
            if !isEmpty {
                for (key, keyNode, valueNode) in try entries(of: parametersNode, what: "a mapping of parameters", allowed: nil) {
                    guard let spec = specs.first(where: { $0.name == key }) else {
                        throw .unknownParameter(location(keyNode), stage: name, parameter: key, declared: specs.map(\.name))
                    }
                    values[key] = try parse(valueNode, spec: spec, stage: name)
                    manifestSet.insert(key)
                }
            }
        }
        var reads: [String] = []
        if let readsNode {
            switch readsNode {
            case .sequence(let sequence):
                for item in sequence {
                    reads.append(try scalarText(item, what: "a stage name"))
                }
            case .scalar(let scalar) where scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null":
                break
            default:
                throw .expected(location(readsNode), what: "a list of stage names", found: describe(readsNode))
            }
        }
        var cell = StageCell(name: name, kind: kind, parameters: values, reads: reads, location: location(nameNode))
        cell.rerunByWatch = rerunByWatch
        cell.manifestParameters = manifestSet
        return cell
    }

    /// A parameter's YAML value: a scalar read as text, or a list (for a list parameter)
    /// whose every element is checked at its own line and column.
    func parse(_ node: Node, spec: ParameterSpec, stage: String) throws(ManifestError) -> ParameterValue {
        guard case .sequence(let sequence) = node else {
            let text = try scalarText(node, what: spec.kind.displayName)
            return try parse(text, spec: spec, stage: stage, at: location(node))
        }
        guard case .list(let elementKind) = spec.kind else {
            throw .wrongParameterType(location(node), stage: stage, parameter: spec.name,
                                      expected: spec.kind.displayName, found: "a list")
        }
        let elementSpec = ParameterSpec(spec.name, elementKind, default: spec.defaultValue, spec.description, optional: false)
        var values: [ParameterValue] = []
        for item in sequence {
            values.append(try parse(item, spec: elementSpec, stage: stage))
        }
        return .list(values)
    }

    func parse(_ text: String, spec: ParameterSpec, stage: String, at location: ManifestLocation) throws(ManifestError) -> ParameterValue {
        switch spec.kind.parse(text, optional: spec.isOptional) {
        case .success(let value):
            try checkPathsExist(in: value, spec: spec, stage: stage, at: location)
            return value
        case .failure(let failure):
            throw error(for: failure, text: text, spec: spec, stage: stage, at: location)
        }
    }

    func checkPathsExist(in value: ParameterValue, spec: ParameterSpec, stage: String, at location: ManifestLocation) throws(ManifestError) {
        guard checksPathsExist else { return }
        switch value {
        case .path(let path):
            let url = ParameterValue.resolve(path: path, against: notebookDirectory)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw .missingPath(location, stage: stage, parameter: spec.name, path: path, resolved: url.path)
            }
        case .list(let values):
            for value in values { try checkPathsExist(in: value, spec: spec, stage: stage, at: location) }
        default:
            break
        }
    }

    func error(for failure: ParameterKind.ParseFailure, text: String, spec: ParameterSpec, stage: String,
               at location: ManifestLocation) -> ManifestError {
        let found = String(text.trimmingCharacters(in: .whitespaces).prefix(60))
        switch failure {
        case .wrongType:
            return .wrongParameterType(location, stage: stage, parameter: spec.name, expected: spec.kind.displayName, found: found)
        case .outOfRange(let range):
            return .parameterOutOfRange(location, stage: stage, parameter: spec.name, value: found, range: range)
        case .emptyPath:
            return .emptyPath(location, stage: stage, parameter: spec.name, optional: spec.isOptional)
        case .notOneOf(let words):
            return .notAChoice(location, stage: stage, parameter: spec.name, found: found, valid: words)
        case .invalid(let reason):
            return .invalidParameterValue(location, stage: stage, parameter: spec.name, value: found, reason: reason)
        case .element(let item, let inner):
            guard case .list(let elementKind) = spec.kind else {
                return error(for: inner, text: item, spec: spec, stage: stage, at: location)
            }
            let elementSpec = ParameterSpec(spec.name, elementKind, default: spec.defaultValue, spec.description, optional: false)
            return error(for: inner, text: item, spec: elementSpec, stage: stage, at: location)
        }
    }

    static func isValidStageName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", first != "-", name.count <= 100 else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
        }
    }

    func validateReads(_ cells: [Cell]) throws(ManifestError) {
        let stages = cells.compactMap { if case .stage(let stage) = $0 { stage } else { nil } }
        var firstDeclared: [String: ManifestLocation] = [:]
        for stage in stages {
            if let first = firstDeclared[stage.name] {
                throw .duplicateStageName(stage.location, name: stage.name, firstDeclaredAt: first)
            }
            firstDeclared[stage.name] = stage.location
        }
        let readsByName = Dictionary(uniqueKeysWithValues: stages.map { ($0.name, $0.reads) })
        var earlier: Set<String> = []
        for stage in stages {
            for read in stage.reads {
                if read == stage.name {
                    throw .dependencyCycle(stage.location, path: [stage.name, stage.name])
                }
                guard readsByName[read] != nil else {
                    throw .readsUnknownStage(stage.location, stage: read, reader: stage.name, known: stages.map(\.name))
                }
                if !earlier.contains(read) {
                    if let cycle = Self.path(from: read, to: stage.name, readsByName: readsByName) {
                        throw .dependencyCycle(stage.location, path: [stage.name] + cycle)
                    }
                    throw .readsLaterStage(stage.location, stage: read, reader: stage.name)
                }
            }
            earlier.insert(stage.name)
        }
    }

    /// A read path from `start` back to `target`, if one exists (which makes a cycle).
    /// Iterative, with an explicit stack: a chain of stages as long as the cap allows must
    /// not cost one native stack frame per stage.
    static func path(from start: String, to target: String, readsByName: [String: [String]]) -> [String]? {
        var cameFrom: [String: String] = [:]
        var visited: Set<String> = [start]
        var pending = [start]
        while let node = pending.popLast() {
            if node == target {
                var path = [node]
                while let previous = cameFrom[path[path.count - 1]] { path.append(previous) }
                return path.reversed()
            }
            for next in (readsByName[node] ?? []).reversed() where visited.insert(next).inserted {
                cameFrom[next] = node
                pending.append(next)
            }
        }
        return nil
    }

    func apply(_ overrides: [ParameterOverride], to manifest: inout Manifest) throws(ManifestError) {
        for override in overrides {
            guard let index = manifest.cells.firstIndex(where: {
                if case .stage(let stage) = $0 { stage.name == override.stage } else { false }
            }), case .stage(var stage) = manifest.cells[index] else {
                throw .invalidOverride(override.description, reason: "no stage named '\(override.stage)'"
                                       + ClosestName.hint(for: override.stage, among: manifest.stages.map(\.name), label: "stages"))
            }
            let specs = registry[stage.kind]?.stageType.parameters ?? []
            guard let spec = specs.first(where: { $0.name == override.parameter }) else {
                throw .invalidOverride(override.description, reason: "stage '\(stage.name)' (\(stage.kind)) has no parameter '\(override.parameter)'"
                                       + ClosestName.hint(for: override.parameter, among: specs.map(\.name), label: "declared"))
            }
            do {
                stage.parameters[spec.name] = try parse(override.value, spec: spec, stage: stage.name, at: ManifestLocation(file: "", line: 0, column: 0))
            } catch {
                throw .invalidOverride(override.description, reason: error.description)
            }
            stage.overriddenParameters.insert(spec.name)
            manifest.cells[index] = .stage(stage)
        }
    }
}
