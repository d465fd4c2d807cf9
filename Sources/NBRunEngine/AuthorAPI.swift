/// The engine works in the author API's types (stages, parameters, artifacts, the stage
/// context), so whoever uses the engine sees them too.
@_exported import NBRun
