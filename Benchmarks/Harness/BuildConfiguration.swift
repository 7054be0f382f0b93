/// The build configuration this executable was compiled with.
enum BuildConfiguration {
    /// True in a debug build (`swift build` without `-c release`), whose unoptimized code makes
    /// every figure meaningless. SwiftPM defines `DEBUG` only for the debug configuration.
    static var isDebug: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }
}
