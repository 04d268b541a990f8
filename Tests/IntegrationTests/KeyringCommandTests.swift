import Foundation
import XCTest

/// add, list, import, remove and doctor against a real gnome-keyring on a private D-Bus.
final class KeyringCommandTests: XCTestCase {
  static let keyID = "AKIAAWSENVTEST000001"
  static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY001"

  func testAddListRemoveRoundTrip() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: """
        printf '%s\\n%s\\n' \(Self.keyID) \(Self.secret) | "$AWSENV" add team-a 2>add.err
        AWS_ACCESS_KEY_ID=AKIAAWSENVTEST000002 AWS_SECRET_ACCESS_KEY=second/secret \\
          AWS_SESSION_TOKEN=tok "$AWSENV" add team-b --env 2>/dev/null
        stat -c '%a %n' ~/.aws/config* >config-files.txt
        "$AWSENV" list >list.txt
        "$AWSENV" list --json >list.json
        secret-tool search --all application awsenv >search.txt 2>&1
        "$AWSENV" export team-a --format process >process.json
        "$AWSENV" remove team-a 2>remove.err
        if "$AWSENV" remove team-a 2>remove-again.err; then exit 40; fi
        "$AWSENV" list --json >list-after.json
        """, keep: dir)
    XCTAssertSuccess(run)
    let home = "\(dir)/home"
    func read(_ name: String) throws -> String {
      try String(contentsOfFile: "\(home)/\(name)", encoding: .utf8)
    }
    XCTAssertTrue(try read("add.err").contains("stored the keys of 'team-a' in the keyring"))
    let config = try read(".aws/config")
    XCTAssertTrue(
      config.contains("[profile team-a]") && config.contains("[profile team-b]"), config)
    XCTAssertFalse(config.contains(Self.secret))
    // The first add creates the file; the second edits it, keeping one rolling 0600 backup.
    XCTAssertEqual(
      try read("config-files.txt"),
      "600 \(home)/.aws/config\n600 \(home)/.aws/config.awsenv-backup\n")

    let list = try read("list.txt")
    XCTAssertTrue(list.hasPrefix("PROFILE"), list)
    XCTAssertTrue(list.contains("team-a") && list.contains("keyring"), list)
    let rows =
      try JSONSerialization.jsonObject(with: Data(try read("list.json").utf8)) as! [[String: Any]]
    let teamA = rows.first { $0["profile"] as? String == "team-a" }
    XCTAssertEqual(teamA?["kind"] as? String, "keys")
    XCTAssertEqual(teamA?["keysInKeyring"] as? Bool, true)
    XCTAssertEqual(teamA?["keysInFile"] as? Bool, false)

    // Attributes are searchable without reading secrets.
    let search = try read("search.txt")
    XCTAssertTrue(search.contains("attribute.profile = team-a"), search)
    XCTAssertTrue(search.contains("attribute.kind = access-key"), search)

    let process =
      try JSONSerialization.jsonObject(with: Data(try read("process.json").utf8)) as! [String: Any]
    XCTAssertEqual(process["Version"] as? Int, 1)
    XCTAssertEqual(process["AccessKeyId"] as? String, Self.keyID)
    XCTAssertEqual(process["SecretAccessKey"] as? String, Self.secret)

    XCTAssertTrue(try read("remove.err").contains("removed 1 item of 'team-a'"))
    XCTAssertTrue(try read("remove-again.err").hasPrefix("awsenv: the keyring holds no items"))
    let after =
      try JSONSerialization.jsonObject(with: Data(try read("list-after.json").utf8))
      as! [[String: Any]]
    XCTAssertEqual(
      after.first { $0["profile"] as? String == "team-a" }?["keysInKeyring"] as? Bool, false)
    XCTAssertEqual(
      after.first { $0["profile"] as? String == "team-b" }?["keysInKeyring"] as? Bool, true)

    try assertNoPlaintext(
      in: dir, secrets: [Self.secret, "second/secret"],
      excluding: ["home/search.txt", "home/process.json"])
  }

  func testImportKeepsTheFileUnlessAskedAndThenRemovesOnlySecrets() throws {
    let credentials = """
      # my keys
      [default]
      aws_access_key_id = AKIAAWSENVDEFAULT001
      aws_secret_access_key = defaultSecret/000000000000000000000001
      region = us-east-1

      [ci]
      aws_access_key_id=AKIAAWSENVCI00000001
      aws_secret_access_key=ciSecret/00000000000000000000000000001
      ; a comment that stays
      output = json

      [other]
      aws_access_key_id = AKIAAWSENVOTHER00001
      aws_secret_access_key = otherSecret/0000000000000000000000001

      """
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: """
        mkdir -p ~/.aws && chmod 700 ~/.aws
        cat >~/.aws/credentials <<'CREDS'
        \(credentials)CREDS
        chmod 600 ~/.aws/credentials
        cp ~/.aws/credentials original
        "$AWSENV" import default ci 2>import1.err
        cmp ~/.aws/credentials original
        "$AWSENV" import default ci --remove-plaintext 2>import2.err
        restore=$(sed -n 's/.*(restore it with `\\(.*\\) >FILE`)$/\\1/p' import2.err)
        eval "$restore" >restored
        if "$AWSENV" import nosuch --remove-plaintext 2>import3.err; then exit 41; fi
        ls -A ~/.aws >aws-dir.txt
        stat -c '%a %n' ~/.aws/credentials* >modes.txt
        "$AWSENV" export ci --format env >ci.env
        """, keep: dir)
    XCTAssertSuccess(run)
    let home = "\(dir)/home"
    func read(_ name: String) throws -> String {
      try String(contentsOfFile: "\(home)/\(name)", encoding: .utf8)
    }
    let rewritten = try read(".aws/credentials")
    XCTAssertEqual(
      rewritten,
      """
      # my keys
      [default]
      region = us-east-1

      [ci]
      ; a comment that stays
      output = json

      [other]
      aws_access_key_id = AKIAAWSENVOTHER00001
      aws_secret_access_key = otherSecret/0000000000000000000000001

      """)
    // The previous file, keys and all, is kept in the keyring, and the printed command gives
    // it back byte for byte; no copy is left beside the file.
    let importNote = try read("import2.err")
    XCTAssertTrue(importNote.contains("the previous file is kept in the keyring"), importNote)
    XCTAssertEqual(try read("restored"), credentials)
    let awsDirectory = try read("aws-dir.txt")
    XCTAssertFalse(awsDirectory.contains("awsenv-backup"), awsDirectory)
    let modes = try read("modes.txt")
    for line in modes.split(separator: "\n") {
      XCTAssertTrue(line.hasPrefix("600 "), "every credentials file is 0600: \(modes)")
    }
    XCTAssertTrue(
      try read("import3.err").hasPrefix("awsenv: profile 'nosuch' has no aws_access_key_id"))
    XCTAssertTrue(
      try read("ci.env").contains(
        "export AWS_SECRET_ACCESS_KEY=ciSecret/00000000000000000000000000001"))
    let dirList = try read("aws-dir.txt")
    XCTAssertFalse(
      dirList.split(separator: "\n").contains { $0.hasPrefix(".") && $0.contains(".awsenv-") },
      "no temporary file left: \(dirList)")
  }

  func testDoctorPassesInAWorkingSession() throws {
    let run = try Harness.sandbox(
      script: """
        eval "$("$AWSENV" init bash)"
        awsenv doctor
        """)
    XCTAssertSuccess(run)
    XCTAssertFalse(run.stdout.contains("FAIL"), run.stdout)
    XCTAssertTrue(
      run.stdout.contains("keyring write/read/delete: a test item round-tripped"), run.stdout)
    XCTAssertTrue(run.stdout.contains("shell hook: loaded (bash)"), run.stdout)
  }

  /// Each fault ends in a clear error within 3 s: no bus, no provider, a locked collection, a
  /// provider stopped with SIGSTOP.
  func testKeyringFaultsFailFastAndClearly() throws {
    let cases: [(name: String, options: [String], prefix: String, expect: String)] = [
      (
        "no bus", [], "unset DBUS_SESSION_BUS_ADDRESS; rm -f \"$XDG_RUNTIME_DIR/bus\";",
        "D-Bus session bus"
      ),
      ("no provider", ["--no-keyring"], "", "no Secret Service provider"),
      ("locked", ["--locked"], "", "locked"),
      (
        "stopped", [],
        // The provider of this sandbox's bus: another sandbox's keyring may be running too.
        "provider=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus "
          + "/org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID "
          + "string:org.freedesktop.secrets | sed -n 's/.*uint32 \\([0-9]*\\).*/\\1/p'); "
          + "kill -STOP $provider; trap 'kill -CONT $provider' EXIT;",
        "did not answer within 2 s"
      ),
    ]
    for fault in cases {
      for command in ["doctor", "list", "use-hook"] {
        let invoke =
          command == "use-hook"
          ? "(eval \"$(\"$AWSENV\" init bash)\"; env -0 >before; if awsenv use team 2>err.txt; then exit 50; fi; env -0 >after; cmp before after; cat err.txt >&2; exit 1)"
          : "\"$AWSENV\" \(command)"
        let run = try Harness.sandbox(
          fault.options,
          script: """
            mkdir -p ~/.aws && printf '[profile team]\\n' >~/.aws/config
            \(fault.prefix)
            start=$(date +%s%N)
            set +e
            \(invoke)
            status=$?
            echo "elapsed_ms=$((($(date +%s%N) - start) / 1000000))"
            exit $status
            """)
        let label = "\(fault.name) / \(command)"
        // Without any Secret Service, `list` still shows the config files, with one note.
        let degrades = command == "list" && ["no bus", "no provider"].contains(fault.name)
        XCTAssertEqual(run.status, degrades ? 0 : 1, "\(label): \(run.stdout) \(run.stderr)")
        if degrades { XCTAssertTrue(run.stdout.contains("team"), "\(label): \(run.stdout)") }
        let elapsed =
          run.stdout.split(separator: "\n").last { $0.hasPrefix("elapsed_ms=") }
          .flatMap { Int($0.dropFirst("elapsed_ms=".count)) } ?? .max
        XCTAssertLessThan(elapsed, 3000, "\(label) took \(elapsed) ms")
        XCTAssertTrue(
          (run.stdout + run.stderr).contains(fault.expect), "\(label): \(run.stdout) \(run.stderr)")
        let awsenvLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("awsenv: ") }
        XCTAssertEqual(awsenvLines.count, 1, "\(label): one awsenv line: \(run.stderr)")
      }
    }
  }
}

/// No secret in any file under the sandbox (HOME, XDG_RUNTIME_DIR, TMPDIR).
func assertNoPlaintext(
  in directory: String, secrets: [String], excluding: Set<String> = [],
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let enumerator = FileManager.default.enumerator(atPath: directory)
  while let path = enumerator?.nextObject() as? String {
    if excluding.contains(path) { continue }
    let full = "\(directory)/\(path)"
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory),
      !isDirectory.boolValue,
      let data = FileManager.default.contents(atPath: full)
    else { continue }
    for secret in secrets where data.range(of: Data(secret.utf8)) != nil {
      XCTFail("secret found in plaintext in \(path)", file: file, line: line)
    }
  }
}

/// `awsenv add` on a real terminal (a pseudo-terminal): prompts on stderr, the key id echoed,
/// the secret and token not.
final class TerminalPromptTests: XCTestCase {
  func testAddPromptsWithoutEchoingTheSecret() throws {
    let run = try Harness.sandbox(
      script: """
        python3 - "$AWSENV" <<'PY'
        import os, pty, sys, time
        binary = sys.argv[1]
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(binary, [binary, "add", "tty"])
        seen = b""
        def expect(text):
            global seen
            deadline = time.time() + 10
            while text not in seen:
                if time.time() > deadline:
                    sys.exit("timed out waiting for %r, saw %r" % (text, seen))
                seen += os.read(fd, 1024)
        expect(b"Access key ID: ")
        os.write(fd, b"AKIAAWSENVTTY0000001\\n")
        expect(b"Secret access key: ")
        os.write(fd, b"ttySecret/DoNotEcho0000000000000000001\\n")
        expect(b"Session token (optional, Enter to skip): ")
        os.write(fd, b"\\n")
        try:
            while True:
                chunk = os.read(fd, 1024)
                if not chunk:
                    break
                seen += chunk
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
        print("status=%d" % os.waitstatus_to_exitcode(status))
        print("echoed-id=%s" % (b"AKIAAWSENVTTY0000001" in seen))
        print("echoed-secret=%s" % (b"DoNotEcho" in seen))
        PY
        "$AWSENV" export tty --format json
        """)
    XCTAssertSuccess(run)
    XCTAssertTrue(run.stdout.contains("status=0"), run.stdout)
    XCTAssertTrue(run.stdout.contains("echoed-id=True"), run.stdout)
    XCTAssertTrue(run.stdout.contains("echoed-secret=False"), run.stdout)
    XCTAssertTrue(
      run.stdout.contains("\"AWS_SECRET_ACCESS_KEY\":\"ttySecret/DoNotEcho0000000000000000001\""),
      run.stdout)
  }
}
