import ArgumentParser
import AwsenvCore
import Foundation

extension Awsenv {
  struct Prompt: ParsableCommand {
    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
      case auto, always, never
    }

    static let configuration = CommandConfiguration(
      commandName: "prompt",
      abstract: "Print the prompt segment, for prompt frameworks that run a command.",
      discussion: """
        The same text the hook keeps in AWSENV_PROMPT, e.g.
          aws:prod (Admin@123456789012) eu-west-1 42m
        and nothing when no profile is active. AWSENV_PROMPT_FORMAT sets the format: %p profile,
        %i identity (Role@account), %r region, %t time left, %% a percent sign; a space-separated
        word whose placeholders are all empty is left out. The time left turns yellow inside the
        refresh window and reads `expired` (red) after the expiry; without colour the expiring
        mark is a `!`. The hooks compute this without running awsenv: use this command only where
        a framework wants a command (starship `custom`, powerlevel10k, oh-my-posh).
        """)

    @Option(help: "The format (default: AWSENV_PROMPT_FORMAT, else \"aws:%p (%i) %r %t\").")
    var format: String?

    @Option(
      help: """
        Colour the expiring and expired marks: auto (when stdout is a terminal and NO_COLOR is \
        unset), always or never.
        """)
    var color: ColorChoice = .auto

    func run() throws {
      let environment = ProcessInfo.processInfo.environment
      guard let segment = PromptSegment(environment: environment) else { return }
      let useColor: Bool
      switch color {
      case .always: useColor = true
      case .never: useColor = false
      case .auto: useColor = isatty(1) == 1 && PromptSegment.colorAllowed(environment: environment)
      }
      let text = segment.render(
        format: format.flatMap { $0.isEmpty ? nil : $0 }
          ?? PromptSegment.format(environment: environment),
        now: Int(Date().timeIntervalSince1970), color: useColor)
      if !text.isEmpty { writeOut(text + "\n") }
    }
  }
}
