// swift-tools-version:5.4
// 5.4, not newer: from 5.5 on, SwiftPM renames each executable's entry point and links it with
// `--defsym main=<module>_main`, a symbol that `-parse-as-library` never emits (libFuzzer
// brings `main`), so the link fails. The targets are compiled in the Swift 5 language mode.
import PackageDescription

// libFuzzer targets for awsenv's parsers and shell escapers. Build and run them with
// scripts/fuzz.sh (`make fuzz`); the sanitizer flags are passed on the command line so that
// AwsenvCore itself is instrumented too:
//   swift build --package-path fuzz -c release -Xswiftc -sanitize=fuzzer,address \
//     -Xswiftc -parse-as-library -Xswiftc -enable-testing
let core: Target.Dependency = .product(name: "AwsenvCore", package: "awsenv")

let package = Package(
  name: "awsenv-fuzz",
  dependencies: [
    .package(name: "awsenv", path: "..")
  ],
  targets: [
    // ~/.aws/config + ~/.aws/credentials: parsing, profile chains, endpoints, the editor.
    .executableTarget(name: "fuzz-config", dependencies: [core]),
    // STS query-protocol responses (success and error bodies) through STSClient.
    .executableTarget(name: "fuzz-sts-xml", dependencies: [core]),
    // IAM Identity Center JSON: both services' replies, keyring items, the AWS CLI's cache.
    .executableTarget(name: "fuzz-sso-json", dependencies: [core]),
    // Shell.render/quote evaluated by real bash, zsh and fish.
    .executableTarget(name: "fuzz-shell-escape", dependencies: [core]),
  ],
  swiftLanguageVersions: [.v5]
)
