import ArgumentParser
import Foundation

// Usage errors (an unknown option, a value out of range, options that do not go together) exit 2 like every
// other input error; ArgumentParser's own code for them is 64. Without any argument there is nothing to do: the
// usage goes to stderr, also with code 2.
if CommandLine.arguments.count == 1 {
    FileHandle.standardError.write(Data((Reachproof.helpMessage() + "\n").utf8))
    exit(2)
}
do {
    var command = try Reachproof.parseAsRoot()
    try command.run()
} catch {
    if Reachproof.exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((Reachproof.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    Reachproof.exit(withError: error)
}
