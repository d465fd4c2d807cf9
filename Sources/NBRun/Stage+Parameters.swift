import Foundation

extension Stage {
    /// The stage's `@Parameter` properties, in declaration order.
    public static var parameters: [ParameterSpec] {
        Self().declaredParameters.map(\.spec)
    }

    private var declaredParameters: [(spec: ParameterSpec, binding: ParameterBinding)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label, let parameter = child.value as? any DeclaredParameter else { return nil }
            return (parameter.specification(label: label), parameter.binding)
        }
    }

    /// Gives every `@Parameter` of this instance its checked value from the manifest (or its
    /// default, which the manifest loader filled in).
    package func bindParameters(_ parameters: StageParameters) {
        for (spec, binding) in declaredParameters {
            guard let value = parameters.values[spec.name] else { continue }
            binding.bind(value, baseDirectory: parameters.baseDirectory)
        }
    }
}
