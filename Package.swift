// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "awsenv",
  products: [
    .executable(name: "awsenv", targets: ["awsenv"]),
    // For the fuzz targets in fuzz/ (a package of their own; see fuzz/README.md).
    .library(name: "AwsenvCore", targets: ["AwsenvCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
  ],
  targets: [
    // libsecret-1 (the Secret Service client): headers and link flags from pkg-config.
    .systemLibrary(
      name: "CLibSecret",
      path: "Sources/CLibSecret",
      pkgConfig: "libsecret-1",
      providers: [.apt(["libsecret-1-dev"])]
    ),
    // A few lines of C for what Swift cannot call or express: GLib error-domain macros and a
    // watchdog that cancels a blocking D-Bus call after a deadline.
    .target(
      name: "CLibSecretShim",
      dependencies: ["CLibSecret"],
      path: "Sources/CLibSecretShim"
    ),
    // prctl(PR_SET_DUMPABLE, 0), which Swift cannot call (prctl is variadic).
    .target(
      name: "CProcessShim",
      path: "Sources/CProcessShim"
    ),
    // libcurl's headers (HTTPS to STS and IAM Identity Center; Debian: libcurl4-openssl-dev),
    // not the library: CCurlShim loads libcurl.so.4 at the first request, so commands that send
    // none do not pay for loading libcurl and OpenSSL. No pkgConfig: it would add -lcurl.
    .systemLibrary(
      name: "CCurl",
      path: "Sources/CCurl"
    ),
    // Loads libcurl at the first request, and wraps its variadic curl_easy_setopt/getinfo, which
    // Swift cannot call.
    .target(
      name: "CCurlShim",
      dependencies: ["CCurl"],
      path: "Sources/CCurlShim"
    ),
    // Everything awsenv knows, no printing, no exit. One folder per subject: Config (the two
    // files and a profile's chain), Resolution (a profile's credentials and what they
    // activate), Credentials, AWSService (what STS and SSO share: endpoints, retries, form
    // encoding, server messages), STS, SSO, HTTP (the transport and SigV4), Keyring, Shell
    // (dialects, hook, prompt, picker), Files, Formats (JSON, XML, RFC 3339), Process,
    // Diagnostics (--debug); AwsenvError.swift at the top is every command's error.
    .target(
      name: "AwsenvCore",
      dependencies: [
        "CLibSecret", "CLibSecretShim", "CCurl", "CCurlShim", "CProcessShim",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Sources/AwsenvCore"
    ),
    // The command line: parses arguments, wires the real dependencies, prints.
    .executableTarget(
      name: "awsenv",
      dependencies: [
        "AwsenvCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/awsenv",
      // lld packs the static binary's ~89,000 relative relocations (DT_RELR, glibc ≥ 2.36):
      // every command maps 1.6 MiB less (DECISIONS.md, "Linking").
      linkerSettings: [
        .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"])
      ]
    ),
    // What both test bundles use: the launcher of Tests/harness/http_test_server.py. A plain
    // target that only tests depend on, so no product links it.
    .target(
      name: "TestSupport",
      path: "Tests/TestSupport"
    ),
    .testTarget(
      name: "AwsenvCoreTests",
      dependencies: ["AwsenvCore", "TestSupport"],
      path: "Tests/AwsenvCoreTests",
      exclude: ["Fixtures", "Conformance"]
    ),
    // The command line's own logic: the hook's fast reading of `use` against the parser.
    .testTarget(
      name: "awsenvTests",
      dependencies: ["awsenv", "AwsenvCore"],
      path: "Tests/awsenvTests"
    ),
    // Drives the built binary inside a private D-Bus session with a real gnome-keyring, and
    // real bash, zsh and fish.
    .testTarget(
      name: "IntegrationTests",
      dependencies: ["TestSupport"],
      path: "Tests/IntegrationTests"
    ),
  ],
  swiftLanguageModes: [.v6]
)
