import ArgumentParser
import XCTest

@testable import awsenv

/// Every command names itself in its configuration: without a name, swift-argument-parser
/// derives it with `String(describing:)`, a scan of every protocol conformance in the binary for
/// each command, on every start that builds the command tree (DECISIONS.md, "Every command names
/// itself").
final class CommandNameTests: XCTestCase {
  func testEveryCommandHasAnExplicitName() {
    var pending: [any ParsableCommand.Type] = [Awsenv.self]
    var seen = 0
    while let command = pending.popLast() {
      seen += 1
      XCTAssertNotNil(
        command.configuration.commandName,
        "\(command) has no commandName in its CommandConfiguration")
      pending += command.configuration.subcommands
    }
    XCTAssertGreaterThan(seen, 20, "every subcommand was visited")
  }
}
