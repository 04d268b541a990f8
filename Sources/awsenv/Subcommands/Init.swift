import ArgumentParser
import AwsenvCore
import Foundation

extension Shell: ExpressibleByArgument {}

extension Awsenv {
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Print the shell hook that defines the `awsenv` function.",
      discussion: """
        bash (~/.bashrc):                 eval "$(awsenv init bash)"
        zsh (~/.zshrc):                   eval "$(awsenv init zsh)"
        fish (~/.config/fish/config.fish): awsenv init fish | source
        The path of this binary is written into the hook, so it works from any directory.
        """)

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    // `make install` writes the hooks under share/ with the installed binary's path, which is
    // not this binary's when installing into a staging directory (DESTDIR).
    @Option(name: .customLong("binary"), help: .hidden)
    var binary: String?

    func validate() throws {
      if let binary, !binary.hasPrefix("/") {
        throw ValidationError("--binary takes an absolute path")
      }
    }

    func run() throws {
      writeOut(shell.hook(binaryPath: binary ?? executablePath()))
    }
  }
}

/// The absolute path of the running binary.
func executablePath() -> String {
  var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
  let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
  guard count > 0 else { return CommandLine.arguments[0] }
  return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
