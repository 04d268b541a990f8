import Foundation

extension Shell {
  /// The hook this shell loads (`awsenv init SHELL`), calling the binary at `binaryPath`.
  public func hook(binaryPath: String) -> String {
    let template: String
    switch self {
    case .bash: template = HookScripts.bash
    case .zsh: template = HookScripts.zsh
    case .fish: template = HookScripts.fish
    }
    return template.replacingOccurrences(of: "@AWSENV_BIN@", with: quote(binaryPath)) + "\n"
  }
}
