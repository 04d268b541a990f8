import Foundation
import TestSupport
import XCTest

/// Faults end to end, through the real binary and the shell hook (issue 7): the keyring gone,
/// absent, locked or stopped; STS unreachable, silent, untrusted, failing or throttling; IAM
/// Identity Center failing; Ctrl-C during `use` and `login`. For every fault: the exit status,
/// exactly one `awsenv:` line on stderr saying what to do, the shell's `env -0` byte for byte as
/// it was, the keyring's items (secrets included) and the files under HOME as they were, and a
/// following `use` that works once the fault is gone.
///
/// Each test runs one script in a sandbox (Tests/harness/sandbox.sh, through Harness.sandbox)
/// that writes what it saw under `$HOME/t/NAME/` (Tests/harness/fault_lib.sh), which the test then reads.
final class FaultTests: LocalServerTestCase {
  static let sts = SharedServer("the local STS") { try STSServer(auth: true, spec: spec) }
  static let sso = SharedServer("the local IAM Identity Center") { try SSOServer() }
  static let hosts = SharedServer("the loopback hosts") { try LoopbackHosts() }

  /// The key of the profile whose keys are only in ~/.aws/credentials.
  static let fileKeyID = "AKIAAWSENVFILE000001"

  static let spec = """
    {"users": [{"name": "alice"}],
     "roles": [{"name": "dev", "trust": {"users": ["alice"]}}]}
    """

  var sts: STSServer {
    get throws { try Self.sts.get() }
  }

  var sso: SSOServer {
    get throws { try Self.sso.get() }
  }

  var hosts: LoopbackHosts {
    get throws { try Self.hosts.get() }
  }

  override func setUp() async throws {
    try sts.setAuth(true)
    try sts.resetCalls()
    try sts.clearFaults()
    try sso.reset()
  }

  // MARK: Keyring faults, in bash, zsh and fish: a cached role, keyring keys, file keys

  /// No D-Bus at all: no DBUS_SESSION_BUS_ADDRESS and no $XDG_RUNTIME_DIR/bus.
  func testNoSessionBus() throws {
    try keyringFault(
      "no-bus",
      apply: """
        mkdir -m 0700 "$T/empty-run"
        PREFIX=(env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$T/empty-run")
        """,
      expect: "cannot reach the D-Bus session bus", advice: "dbus-run-session",
      fileKeysWork: true)
  }

  /// DBUS_SESSION_BUS_ADDRESS names a socket that is not there (a bus that went away).
  func testStaleSessionBusAddress() throws {
    try keyringFault(
      "stale-bus", apply: #"PREFIX=(env DBUS_SESSION_BUS_ADDRESS="unix:path=$T/no-such/bus")"#,
      expect: "cannot reach the D-Bus session bus", advice: "dbus-run-session",
      fileKeysWork: true)
  }

  /// A bus of its own with no Secret Service on it (and no service files to start one).
  func testNoProvider() throws {
    try keyringFault(
      "no-provider",
      apply: """
        # Not under $T: a socket path has at most 107 bytes.
        bus_dir=$(mktemp -d /tmp/awsenv-bus.XXXXXX)
        trap 'rm -rf "$bus_dir"' EXIT
        cat >"$T/bus.conf" <<CONF
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>unix:dir=$bus_dir</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
          </policy>
        </busconfig>
        CONF
        PREFIX=(dbus-run-session --config-file="$T/bus.conf" --)
        """,
      lift: #"rm -rf "$bus_dir""#,
      expect: "no Secret Service provider is running", advice: "install and start gnome-keyring",
      fileKeysWork: true)
  }

  /// The login collection locked through the Secret Service API; no prompter can unlock it.
  /// Afterwards a new daemon (`--replace --unlock`) opens the same keyring file again.
  func testLockedCollection() throws {
    try keyringFault(
      "locked",
      apply: """
        dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
          org.freedesktop.Secret.Service.Lock \\
          array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
        keyring "$T/keyring.locked"
        """,
      lift: """
        keyring "$T/keyring.locked-after"
        old=$(provider_pid)
        printf sandbox | gnome-keyring-daemon --replace --unlock --components=secrets \\
          >/dev/null 2>>"$T/keyring-daemon.log"
        for _ in $(seq 100); do
          now=$(provider_pid 2>/dev/null || true)
          [ -n "$now" ] && [ "$now" != "$old" ] && break
          sleep 0.05
        done
        """,
      expect: "is locked and was not unlocked", advice: "unlock it in your keyring app")
  }

  /// gnome-keyring stopped with SIGSTOP before the call: the 2 s watchdog ends each call.
  func testStoppedProvider() throws {
    try keyringFault(
      "stopped",
      apply: """
        provider=$(provider_pid)
        kill -STOP "$provider"
        trap 'kill -CONT "$provider"' EXIT
        """,
      lift: #"kill -CONT "$provider""#,
      expect: "the keyring did not answer within 2 s", advice: "restart the provider")
  }

  /// The session bus's daemon stopped with SIGSTOP: connecting never completes, and the same
  /// 2 s watchdog ends it. A hung bus is not "no keyring": file keys are not used instead.
  func testStoppedSessionBus() throws {
    try keyringFault(
      "bus-stopped",
      apply: """
        bus=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
          org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.DBus |
          sed -n 's/.*uint32 \\([0-9]*\\).*/\\1/p')
        kill -STOP "$bus"
        trap 'kill -CONT "$bus"' EXIT
        """,
      lift: #"kill -CONT "$bus""#,
      expect: "did not answer within 2 s", advice: "retry")
  }

  /// Runs `use dev` (a cached role session), `use alice` (keys in the keyring) and
  /// `use filekeys` (keys only in ~/.aws/credentials) in bash, zsh and fish with the fault
  /// `apply` sets up (PREFIX: what runs each shell), then `lift`s it. dev and alice must fail
  /// cleanly within 3 s. filekeys must work from the file when there is no keyring at all
  /// (`fileKeysWork`), and fail like the others when the keyring is there but unusable: a newer
  /// key may sit in it (DECISIONS.md, "Without any keyring, file keys still work"). Afterwards
  /// the keyring and HOME must be as they were and `use` must work again.
  func keyringFault(
    _ fault: String, apply: String, lift: String = "", expect: String, advice: String,
    fileKeysWork: Bool = false, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let shells = ["bash", "zsh", "fish"]
    let profiles = ["dev", "alice", "filekeys"]
    var runs = ""
    for shell in shells {
      for profile in profiles {
        runs += "run_in \(shell) \(shell)-\(profile) use \(profile)\n"
      }
    }
    let run = try sandbox(
      """
      keyring "$T/keyring.before"
      files "$T/files.before"
      \(apply)
      \(runs)
      \(lift)
      PREFIX=()
      keyring "$T/keyring.after"
      files "$T/files.after"
      for shell in bash zsh fish; do
        run_in "$shell" "again-$shell" use dev
      done
      """, keep: dir)
    XCTAssertSuccess(run, file: file, line: line)
    let t = Outcome.root(dir)
    for shell in shells {
      for profile in profiles {
        let outcome = try Outcome(t, "\(shell)-\(profile)")
        let label = "\(fault) / \(shell) / use \(profile)"
        if profile == "filekeys" && fileKeysWork {
          XCTAssertEqual(outcome.status, 0, "\(label): \(outcome.stderr)", file: file, line: line)
          XCTAssertEqual(outcome.stderr, "", label, file: file, line: line)
          XCTAssertEqual(
            outcome.after["AWS_ACCESS_KEY_ID"], Self.fileKeyID, label, file: file, line: line)
          XCTAssertEqual(outcome.after["AWS_PROFILE"], "filekeys", label, file: file, line: line)
        } else {
          assertCleanFailure(
            outcome, label, expect: [expect, advice], withinMilliseconds: 3000, file: file,
            line: line)
        }
        print(
          "FAULT \(fault) \(shell) use \(profile): exit \(outcome.status) in \(outcome.ms) ms "
            + outcome.stderr)
      }
    }
    try assertSame(
      t, "keyring.before", "keyring.after", "\(fault): keyring", file: file, line: line)
    // A `use` that worked records the profile among the recent ones: the only change allowed.
    try assertSame(
      t, "files.before", "files.after", "\(fault): files",
      ignoring: fileKeysWork ? "/.local/state/awsenv/recent" : nil, file: file, line: line)
    if fault == "locked" {
      try assertSame(
        t, "keyring.locked", "keyring.locked-after", "locked: keyring while locked", file: file,
        line: line)
    }
    for shell in shells {
      let again = try Outcome(t, "again-\(shell)")
      XCTAssertEqual(again.status, 0, "\(fault): use after the fault, \(shell): \(again.stderr)")
      XCTAssertEqual(again.after["AWS_PROFILE"], "dev", "\(fault): \(shell) switched")
    }
  }

  /// gnome-keyring stopped while `use --refresh` waits for STS: the new session's store meets
  /// the stopped provider. One clear line within the watchdog's 2 s of it, the shell
  /// unchanged; once the provider runs again the keyring holds complete items only (the old
  /// session, and the new one if the queued store went through after all), and `use` works.
  func testProviderStoppedInTheMiddleOfAUse() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      sts POST /_awsenv/faults '{"status": 0, "delay": 1.0, "action": "AssumeRole"}' >/dev/null
      keyring "$T/keyring.before"
      provider=$(provider_pid)
      trap 'kill -CONT "$provider"' EXIT
      # 0.4 s after awsenv starts it has its keys from the keyring and waits for STS (1 s).
      signal stopped-mid --command use --after 400 --signal STOP --pid "$provider"
      run_in bash stopped-mid use dev --refresh
      wait || true
      kill -CONT "$provider"
      sleep 0.5
      keyring "$T/keyring.after"
      run_in bash again use dev
      run_in bash again-refresh use dev --refresh
      keyring "$T/keyring.final"
      """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    let stopped = try Outcome(t, "stopped-mid")
    assertCleanFailure(
      stopped, "stopped mid-use", expect: ["the keyring did not answer within 2 s"],
      withinMilliseconds: 1000 + 3000)
    let stop = try String(contentsOfFile: "\(t)/stopped-mid/signal", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertTrue(stop.hasPrefix("sent STOP"), "the provider was stopped: \(stop)")
    let before = try String(contentsOfFile: "\(t)/keyring.before", encoding: .utf8)
    let after = try String(contentsOfFile: "\(t)/keyring.after", encoding: .utf8)
    print(
      "FAULT stopped-mid-use: exit \(stopped.status) in \(stopped.ms) ms (\(stop)); sessions "
        + "of dev after SIGCONT: \(sessions(of: "dev", in: after))")
    try assertCompleteItems(after, "after the stopped store")
    // The old session is still there, whatever became of the new one.
    for item in before.components(separatedBy: "\n\n") {
      XCTAssertTrue(after.contains(item), "kept:\n\(item)\nafter:\n\(after)")
    }
    XCTAssertEqual(try Outcome(t, "again").status, 0)
    XCTAssertEqual(try Outcome(t, "again-refresh").status, 0)
    let final = try String(contentsOfFile: "\(t)/keyring.final", encoding: .utf8)
    try assertCompleteItems(final, "after a new refresh")
    XCTAssertEqual(sessions(of: "dev", in: final), 1, "one session of dev again:\n\(final)")
  }

  // MARK: Network faults below HTTP

  /// Connection refused (a closed port), TLS with a self-signed certificate, a connect timeout
  /// (a listener whose accept queue is full) and a read timeout (a server that reads the
  /// request and never answers), through `use --refresh` (AssumeRole), the prompt's
  /// `use --refresh --non-interactive` and `whoami`. Attempts are counted as connect(2) calls
  /// to the port (strace); the timeouts are measured against the design (5 s to connect, 30 s
  /// in all, 3 attempts; non-interactive: 3 s, 8 s, 2 attempts; full jitter from 1 s).
  func testTransportFaults() throws {
    let hosts = try hosts
    let closed = "http://127.0.0.1:\(hosts.closed)"
    let untrusted = "https://127.0.0.1:\(hosts.https)"
    let silent = "http://127.0.0.1:\(hosts.blackHole)"
    let hanging = "http://127.0.0.1:\(hosts.http)/hang"
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      keyring "$T/keyring.before"
      files "$T/files.before"
      traced() { # traced ENDPOINT NAME ARGS...: run_in bash, with strace counting connects
        local endpoint=$1 name=$2
        shift 2
        mkdir -p "$T/$name"
        PREFIX=(env AWS_ENDPOINT_URL_STS="$endpoint"
          strace -f -qq -e trace=connect -o "$T/$name/trace")
        run_in bash "$name" "$@"
        PREFIX=()
      }
      traced \(closed) refused-use use dev --refresh
      traced \(closed) refused-quick use dev --refresh --non-interactive
      traced \(closed) refused-whoami whoami --profile alice
      AWS_MAX_ATTEMPTS=1 traced \(closed) refused-one use dev --refresh
      traced \(untrusted) tls-use use dev --refresh
      traced \(untrusted) tls-whoami whoami --profile alice
      traced \(silent) connect-timeout-quick use dev --refresh --non-interactive
      AWS_MAX_ATTEMPTS=1 traced \(silent) connect-timeout-whoami whoami --profile alice
      traced \(hanging) read-timeout-quick use dev --refresh --non-interactive
      keyring "$T/keyring.after"
      files "$T/files.after"
      run_in bash again use dev --refresh
      """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    struct Case {
      var name: String
      var port: Int
      var attempts: Int
      var expect: [String]
      /// Seconds each attempt waits before failing (0: at once).
      var timeout: Double = 0
    }
    let connect = ["cannot connect to 127.0.0.1:\(hosts.closed)", "check the network"]
    let tls = ["TLS with 127.0.0.1:\(hosts.https) failed", "AWS_CA_BUNDLE"]
    let cases = [
      Case(name: "refused-use", port: hosts.closed, attempts: 3, expect: connect),
      Case(name: "refused-quick", port: hosts.closed, attempts: 2, expect: connect),
      Case(name: "refused-whoami", port: hosts.closed, attempts: 3, expect: connect),
      Case(name: "refused-one", port: hosts.closed, attempts: 1, expect: connect),
      Case(name: "tls-use", port: hosts.https, attempts: 1, expect: tls),
      Case(name: "tls-whoami", port: hosts.https, attempts: 1, expect: tls),
      Case(
        name: "connect-timeout-quick", port: hosts.blackHole, attempts: 2,
        expect: ["127.0.0.1:\(hosts.blackHole) did not answer within 3 s", "retry"], timeout: 3),
      Case(
        name: "connect-timeout-whoami", port: hosts.blackHole, attempts: 1,
        expect: ["127.0.0.1:\(hosts.blackHole) did not answer within 5 s", "retry"], timeout: 5),
      Case(
        // The prompt's refresh has 8 s in all (AWSENV_HTTP_TIMEOUT): one attempt, no retry.
        name: "read-timeout-quick", port: hosts.http, attempts: 1,
        expect: ["127.0.0.1:\(hosts.http) did not answer within 8 s", "retry"], timeout: 8),
    ]
    for fault in cases {
      let outcome = try Outcome(t, fault.name)
      assertCleanFailure(outcome, fault.name, expect: fault.expect)
      let trace = try String(contentsOfFile: "\(t)/\(fault.name)/trace", encoding: .utf8)
      let connects = trace.split(separator: "\n").filter { $0.contains("htons(\(fault.port))") }
      XCTAssertEqual(connects.count, fault.attempts, "\(fault.name): attempts\n\(trace)")
      // Full jitter: at most 1 s before the 2nd attempt, 2 s before the 3rd.
      let jitter = [0, 0, 1, 3][fault.attempts]
      let floor = Double(fault.attempts) * fault.timeout
      let ceiling = floor + Double(jitter) + 3
      XCTAssertGreaterThanOrEqual(outcome.seconds, floor - 0.1, "\(fault.name): waited")
      XCTAssertLessThan(outcome.seconds, ceiling, "\(fault.name): bounded")
      print(
        "FAULT \(fault.name): exit \(outcome.status) after \(connects.count) attempts in "
          + "\(outcome.ms) ms: \(outcome.stderr)", terminator: "")
    }
    try assertSame(t, "keyring.before", "keyring.after", "transport faults: keyring")
    try assertSame(t, "files.before", "files.after", "transport faults: files")
    XCTAssertEqual(try Outcome(t, "again").status, 0)
  }

  // MARK: STS answering errors

  /// 500s, throttling (400 Throttling, 429, 503): N failures then success. N below the
  /// attempts succeeds with N + 1 calls; N = the attempts (3) fails cleanly with 3 calls and
  /// leaves the shell, the keyring and the files alone; non-retryable 4xx are one call.
  /// AWS_MAX_ATTEMPTS and `max_attempts` are respected (the variable first); the prompt's
  /// refresh makes 2 attempts. Through `use --refresh` (AssumeRole) and `whoami`.
  func testSTSErrorsAreRetriedAsDesigned() throws {
    struct Case {
      var name: String
      var faults: String
      /// "use dev --refresh" and the like; `env` prefixes are variables for the shell.
      var command: String
      var succeeds: Bool
      var action = "AssumeRole"
      var faulted: Int
      var expect: [String] = []
    }
    func fault(_ count: Int, _ status: Int, _ code: String, _ action: String = "AssumeRole")
      -> String
    {
      #"{"count": \#(count), "status": \#(status), "code": "\#(code)", "action": "\#(action)"}"#
    }
    let serverError = ["STS AssumeRole failed: InternalFailure", "retry in a moment"]
    let throttled = ["STS AssumeRole failed: Throttling", "wait a moment and retry"]
    let use = "use dev --refresh"
    let cases = [
      Case(
        name: "500x1", faults: fault(1, 500, "InternalFailure"), command: use, succeeds: true,
        faulted: 1),
      Case(
        name: "500x2", faults: fault(2, 500, "InternalFailure"), command: use, succeeds: true,
        faulted: 2),
      Case(
        name: "500x3", faults: fault(3, 500, "InternalFailure"), command: use, succeeds: false,
        faulted: 3, expect: serverError),
      Case(
        name: "throttled-x1", faults: fault(1, 400, "Throttling"), command: use, succeeds: true,
        faulted: 1),
      Case(
        name: "throttled-x2", faults: fault(2, 400, "Throttling"), command: use, succeeds: true,
        faulted: 2),
      Case(
        name: "throttled-x3", faults: fault(3, 400, "Throttling"), command: use, succeeds: false,
        faulted: 3, expect: throttled),
      Case(
        name: "429x2", faults: fault(2, 429, "TooManyRequestsException"), command: use,
        succeeds: true, faulted: 2),
      Case(
        name: "503x2", faults: fault(2, 503, "ServiceUnavailable"), command: use, succeeds: true,
        faulted: 2),
      Case(
        name: "403-not-retried", faults: fault(3, 403, "AccessDenied"), command: use,
        succeeds: false, faulted: 1,
        expect: ["STS AssumeRole failed: AccessDenied", "trust policy of"]),
      Case(
        name: "400-not-retried", faults: fault(3, 400, "ValidationError"), command: use,
        succeeds: false, faulted: 1,
        expect: ["STS AssumeRole failed: ValidationError", "check the values of 'dev'"]),
      Case(
        name: "max-attempts-env-1", faults: fault(1, 500, "InternalFailure"),
        command: "env AWS_MAX_ATTEMPTS=1 " + use, succeeds: false, faulted: 1,
        expect: serverError),
      Case(
        name: "max-attempts-profile-4", faults: fault(3, 500, "InternalFailure"),
        command: "use dev-patient --refresh", succeeds: true, faulted: 3),
      Case(
        name: "max-attempts-env-over-profile", faults: fault(3, 500, "InternalFailure"),
        command: "env AWS_MAX_ATTEMPTS=2 use dev-patient --refresh", succeeds: false,
        faulted: 2, expect: serverError),
      Case(
        name: "prompt-refresh-2", faults: fault(2, 500, "InternalFailure"),
        command: "use dev --refresh --non-interactive", succeeds: false, faulted: 2,
        expect: serverError),
      Case(
        name: "whoami-500x1", faults: fault(1, 500, "InternalFailure", "GetCallerIdentity"),
        command: "whoami", succeeds: true, action: "GetCallerIdentity", faulted: 1),
      Case(
        name: "whoami-throttled-x3", faults: fault(3, 400, "Throttling", "GetCallerIdentity"),
        command: "whoami", succeeds: false, action: "GetCallerIdentity", faulted: 3,
        expect: ["STS GetCallerIdentity failed: Throttling", "wait a moment and retry"]),
      Case(
        name: "whoami-403", faults: fault(3, 403, "AccessDenied", "GetCallerIdentity"),
        command: "whoami", succeeds: false, action: "GetCallerIdentity", faulted: 1,
        expect: ["STS GetCallerIdentity failed: AccessDenied", "check the IAM policy"]),
    ]
    var script = """
      run_in bash warm use dev-patient
      """
    for fault in cases {
      // `env A=B use …`: A=B goes into the shell's environment, like an export.
      var words = fault.command.split(separator: " ").map(String.init)
      var variables: [String] = []
      if words.first == "env" {
        words.removeFirst()
        while let word = words.first, word.contains("=") {
          variables.append(word)
          words.removeFirst()
        }
      }
      // whoami: of the shell's credentials, after `use alice` in the same shell.
      let pre = words.first == "whoami" ? "PRE='awsenv use alice' " : ""
      script += """

        sts DELETE /_awsenv/faults >/dev/null; sts POST /_awsenv/calls/reset >/dev/null
        sts POST /_awsenv/faults \(shellQuote(fault.faults)) >/dev/null
        keyring "$T/keyring.\(fault.name).before"
        PREFIX=(env \(variables.joined(separator: " ")))
        \(pre)run_in bash \(fault.name) \(words.joined(separator: " "))
        PREFIX=()
        sts GET /_awsenv/calls >"$T/\(fault.name)/calls.json"
        keyring "$T/keyring.\(fault.name).after"
        """
    }
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(script, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    for fault in cases {
      let outcome = try Outcome(t, fault.name)
      let calls =
        try JSONDecoder().decode(
          [String: Int].self,
          from: Data(contentsOf: URL(fileURLWithPath: "\(t)/\(fault.name)/calls.json")))
      XCTAssertEqual(calls["faulted"] ?? 0, fault.faulted, "\(fault.name): faulted calls \(calls)")
      XCTAssertEqual(
        calls[fault.action] ?? 0, fault.succeeds ? 1 : 0, "\(fault.name): served calls \(calls)")
      let keyringBefore = "keyring.\(fault.name).before"
      let keyringAfter = "keyring.\(fault.name).after"
      if fault.succeeds {
        XCTAssertEqual(outcome.status, 0, "\(fault.name): \(outcome.stderr)")
        XCTAssertEqual(outcome.stderr, "", fault.name)
        if fault.action == "AssumeRole" {
          XCTAssertNotEqual(outcome.before, outcome.after, "\(fault.name): switched")
          XCTAssertTrue(outcome.after["AWS_ACCESS_KEY_ID"]?.hasPrefix("ASIA") ?? false)
          let items = try String(contentsOfFile: "\(t)/\(keyringAfter)", encoding: .utf8)
          try assertCompleteItems(items, fault.name)
        } else {
          XCTAssertEqual(outcome.envBefore, outcome.envAfter, "\(fault.name): env")
          try assertSame(t, keyringBefore, keyringAfter, "\(fault.name): keyring")
        }
      } else {
        assertCleanFailure(outcome, fault.name, expect: fault.expect)
        try assertSame(t, keyringBefore, keyringAfter, "\(fault.name): keyring")
      }
      print(
        "FAULT sts \(fault.name): exit \(outcome.status), calls \(fault.faulted) faulted + "
          + "\(calls[fault.action] ?? 0) served, \(outcome.ms) ms \(outcome.stderr)")
    }
  }

  /// IAM Identity Center's GetRoleCredentials failing N times (sso_server.py's fault rules):
  /// retried like STS, then success or one clear line; a 4xx the service means is not retried.
  func testSSOErrorsAreRetriedAsDesigned() throws {
    try sso.setBehaviour(["autoApprove": true])
    struct Case {
      var name: String
      var count: Int
      var status: Int
      var code: String
      var succeeds: Bool
      var calls: Int
      var expect: [String] = []
    }
    let cases = [
      Case(
        name: "500x1", count: 1, status: 500, code: "InternalServerException", succeeds: true,
        calls: 2),
      Case(
        name: "500x2", count: 2, status: 500, code: "InternalServerException", succeeds: true,
        calls: 3),
      Case(
        name: "500x3", count: 3, status: 500, code: "InternalServerException", succeeds: false,
        calls: 3, expect: ["GetRoleCredentials", "InternalServerException"]),
      Case(
        name: "429x2", count: 2, status: 429, code: "TooManyRequestsException", succeeds: true,
        calls: 3),
      Case(
        name: "429x3", count: 3, status: 429, code: "TooManyRequestsException", succeeds: false,
        calls: 3, expect: ["GetRoleCredentials", "TooManyRequestsException"]),
      Case(
        name: "400-not-retried", count: 3, status: 400, code: "InvalidRequestException",
        succeeds: false, calls: 1, expect: ["GetRoleCredentials", "InvalidRequestException"]),
    ]
    var script = """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      run_in bash warm use prod-admin
      """
    for fault in cases {
      let rule =
        [
          "count": fault.count, "status": fault.status, "code": fault.code,
          "operation": "GetRoleCredentials",
        ] as [String: Any]
      let json = String(
        decoding: try JSONSerialization.data(withJSONObject: rule, options: .sortedKeys),
        as: UTF8.self)
      script += """

        sso DELETE /_awsenv/faults >/dev/null; sso POST /_awsenv/calls/reset >/dev/null
        sso POST /_awsenv/faults \(shellQuote(json)) >/dev/null
        keyring "$T/keyring.\(fault.name).before"
        run_in bash \(fault.name) use prod-admin --refresh
        sso GET /_awsenv/calls >"$T/\(fault.name)/calls.json"
        keyring "$T/keyring.\(fault.name).after"
        """
    }
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(script, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    for fault in cases {
      let outcome = try Outcome(t, fault.name)
      let calls = try JSONDecoder().decode(
        [SSOServer.Call].self,
        from: Data(contentsOf: URL(fileURLWithPath: "\(t)/\(fault.name)/calls.json")))
      let roleCalls = calls.filter { $0.operation == "GetRoleCredentials" }
      XCTAssertEqual(roleCalls.count, fault.calls, "\(fault.name): \(calls.map(\.operation))")
      XCTAssertEqual(
        roleCalls.filter { $0.error == nil }.count, fault.succeeds ? 1 : 0, "\(fault.name)")
      if fault.succeeds {
        XCTAssertEqual(outcome.status, 0, "\(fault.name): \(outcome.stderr)")
        XCTAssertEqual(outcome.stderr, "", fault.name)
        XCTAssertEqual(outcome.after["AWS_PROFILE"], "prod-admin")
        let items = try String(
          contentsOfFile: "\(t)/keyring.\(fault.name).after", encoding: .utf8)
        try assertCompleteItems(items, fault.name)
      } else {
        assertCleanFailure(outcome, fault.name, expect: fault.expect)
        try assertSame(
          t, "keyring.\(fault.name).before", "keyring.\(fault.name).after",
          "\(fault.name): keyring")
      }
      print(
        "FAULT sso \(fault.name): exit \(outcome.status), GetRoleCredentials calls "
          + "\(roleCalls.count), \(outcome.ms) ms \(outcome.stderr)")
    }
  }

  // MARK: Ctrl-C

  /// SIGINT to awsenv while STS is slow (a 5 s delay on AssumeRole), in bash (which has an
  /// INT trap, so that the script itself survives the interrupt as an interactive shell
  /// would) and zsh: exit 130, nothing printed, the shell as it was, the keyring as it was,
  /// and `use` works after. Then SIGINT at `sweepPoints` points spread evenly over the life of
  /// an uninterrupted `use --refresh` (no delay; measured first): each run either switched
  /// (exit 0) or left the shell alone (130), and the keyring never holds an item that is not a
  /// complete credential document, nor loses dev's session; a `use` that finishes leaves one.
  func testInterruptedUseLeavesTheShellAndTheKeyringConsistent() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      keyring "$T/keyring.before"
      files "$T/files.before"
      for shell in bash zsh; do
        sts POST /_awsenv/faults '{"count": 1, "status": 0, "delay": 5, "action": "AssumeRole"}' \\
          >/dev/null
        signal "slow-$shell" --command use --after 1500 --signal INT
        TRAP=1 run_in "$shell" "slow-$shell" use dev --refresh
        wait || true
      done
      keyring "$T/keyring.after"
      files "$T/files.after"
      run_in bash again use dev
      run_in bash measure use dev --refresh
      read -r _ start end <"$T/measure/result"
      span=$(((end - start) / 1000000))
      for ((i = 0; i < \(Self.sweepPoints); i++)); do
        signal "sweep-$i" --command use --after $((span * i / \(Self.sweepPoints - 1))) --signal INT
        TRAP=1 run_in bash "sweep-$i" use dev --refresh
        wait || true
        keyring "$T/keyring.sweep-$i"
      done
      run_in bash final use dev --refresh
      keyring "$T/keyring.final"
      """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    for shell in ["bash", "zsh"] {
      let outcome = try Outcome(t, "slow-\(shell)")
      let signal = try String(contentsOfFile: "\(t)/slow-\(shell)/signal", encoding: .utf8)
      XCTAssertTrue(signal.hasPrefix("sent INT"), signal)
      XCTAssertEqual(outcome.status, 130, "\(shell): \(outcome.stderr)")
      XCTAssertEqual(outcome.stderr, "", "\(shell): Ctrl-C prints nothing")
      XCTAssertEqual(outcome.envBefore, outcome.envAfter, "\(shell): env -0")
      XCTAssertLessThan(outcome.seconds, 4, "\(shell): the interrupt ended it at once")
      print("FAULT ctrl-c slow use, \(shell): exit \(outcome.status) after \(outcome.ms) ms")
    }
    try assertSame(t, "keyring.before", "keyring.after", "interrupted use: keyring")
    try assertSame(t, "files.before", "files.after", "interrupted use: files")
    XCTAssertEqual(try Outcome(t, "again").status, 0)

    let span = try Outcome(t, "measure").ms
    var interrupted = 0
    for index in 0..<Self.sweepPoints {
      let name = "sweep-\(index)"
      let outcome = try Outcome(t, name)
      let signal = try String(contentsOfFile: "\(t)/\(name)/signal", encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let items = try String(contentsOfFile: "\(t)/keyring.\(name)", encoding: .utf8)
      try assertCompleteItems(items, name)
      // An interrupt between a new session's store and the old ones' deletion leaves them all
      // there, whole; the next store that finishes deletes the older ones.
      let count = sessions(of: "dev", in: items)
      XCTAssertGreaterThanOrEqual(count, 1, "\(name): sessions of dev\n\(items)")
      switch outcome.status {
      case 0:
        XCTAssertEqual(outcome.after["AWS_PROFILE"], "dev", name)
        XCTAssertEqual(outcome.stderr, "", name)
      case 130:
        interrupted += 1
        XCTAssertEqual(outcome.envBefore, outcome.envAfter, "\(name): env -0")
        XCTAssertEqual(outcome.stderr, "", name)
      default:
        XCTFail("\(name): exit \(outcome.status): \(outcome.stderr) (\(signal))")
      }
      print(
        "FAULT ctrl-c sweep \(index) of a \(span) ms use: exit \(outcome.status), \(count) "
          + "session(s) of dev (\(signal))")
    }
    XCTAssertGreaterThan(interrupted, 0, "at least one run was interrupted")
    XCTAssertEqual(try Outcome(t, "final").status, 0)
    let final = try String(contentsOfFile: "\(t)/keyring.final", encoding: .utf8)
    try assertCompleteItems(final, "after the sweep")
    XCTAssertEqual(sessions(of: "dev", in: final), 1, "one session of dev again:\n\(final)")
  }

  /// How many SIGINTs the sweep sends.
  static let sweepPoints = 16

  /// Ctrl-C typed in an interactive bash (tmux) while `use` waits for a slow STS: the prompt
  /// comes back with $? 130, the environment as it was, the keyring as it was.
  func testCtrlCInAnInteractiveBash() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      TerminalHarness.functions + """
        sts POST /_awsenv/faults '{"status": 0, "delay": 5, "action": "AssumeRole"}' >/dev/null
        keyring "$T/keyring.before"
        tm_start 'bash --norc --noprofile'
        type_line 'eval "$("$AWSENV" init bash)"; PS1="$ "; env -0 >"$HOME/t/before.env"'
        type_line 'awsenv use dev --refresh; echo "after use: $((6 * 7))"'
        sleep 1.5
        tm send-keys C-c
        type_line 'echo "status=$?"; env -0 >"$HOME/t/after.env"; echo "done: $((6 * 7))"'
        wait_text 'done: 42' 10
        screen >"$T/screen.txt"
        keyring "$T/keyring.after"
        type_line 'awsenv use dev && echo "switched to $AWS_PROFILE"'
        wait_text 'switched to dev' 10
        """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    let screen = try String(contentsOfFile: "\(t)/screen.txt", encoding: .utf8)
    XCTAssertTrue(screen.contains("status=130"), screen)
    XCTAssertFalse(screen.contains("after use: 42"), "Ctrl-C ends the whole line:\n\(screen)")
    XCTAssertFalse(screen.contains("awsenv:"), screen)
    let before = try Data(contentsOf: URL(fileURLWithPath: "\(t)/before.env"))
    let after = try Data(contentsOf: URL(fileURLWithPath: "\(t)/after.env"))
    XCTAssertFalse(before.isEmpty)
    XCTAssertEqual(before, after, "env -0 of the interactive shell")
    try assertSame(t, "keyring.before", "keyring.after", "Ctrl-C: keyring")
  }

  /// SIGINT to `awsenv login` while the device code is pending at the portal: one line saying
  /// nothing was stored, exit 130, and the keyring exactly as it was (the earlier sign-in's
  /// token and client registration untouched).
  func testInterruptedLoginStoresNothing() throws {
    try sso.setBehaviour(["autoApprove": true])
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      sso POST /_awsenv/behaviour '{"autoApprove": false}' >/dev/null
      keyring "$T/keyring.before"
      files "$T/files.before"
      signal login --command login --after 300 --signal INT \\
        --pending "$SSO/_awsenv/device-authorizations"
      PREFIX=(timeout 60)
      TRAP=1 run_in bash login login --sso-session corp --force --no-browser
      PREFIX=()
      wait || true
      keyring "$T/keyring.after"
      files "$T/files.after"
      run_in bash again use prod-admin
      """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    let login = try Outcome(t, "login")
    let signal = try String(contentsOfFile: "\(t)/login/signal", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertTrue(signal.hasPrefix("sent INT"), signal)
    XCTAssertEqual(login.status, 130, login.stderr)
    let lines = login.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.last, "awsenv: login interrupted; nothing was stored", login.stderr)
    XCTAssertEqual(lines.filter { $0.contains("interrupted") }.count, 1, login.stderr)
    XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("awsenv: ") }, login.stderr)
    XCTAssertEqual(login.envBefore, login.envAfter)
    try assertSame(t, "keyring.before", "keyring.after", "interrupted login: keyring")
    try assertSame(t, "files.before", "files.after", "interrupted login: files")
    XCTAssertEqual(try Outcome(t, "again").status, 0, "the earlier sign-in still works")
    print("FAULT ctrl-c login: exit \(login.status) after \(login.ms) ms (\(signal))")
  }

  /// SIGINT to `awsenv login` while the poll that brings the token is in flight (CreateToken
  /// delayed 1.5 s; SIGINT is blocked during a poll, see DECISIONS.md): either the login stops
  /// and stores nothing (130, "nothing was stored", keyring as it was), or it completes (0,
  /// "signed in", one complete new token). Never a token stored under an exit that says the
  /// login was interrupted.
  func testInterruptDuringTheLastPollOfALogin() throws {
    try sso.setBehaviour(["autoApprove": true])
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      keyring "$T/keyring.before"
      sso POST /_awsenv/calls/reset >/dev/null
      sso POST /_awsenv/faults '{"status": 0, "delay": 1.5, "operation": "CreateToken"}' >/dev/null
      # The first poll follows a 1 s wait and then takes 1.5 s: 1.6 s is inside it.
      signal login --command login --after 1600 --signal INT
      PREFIX=(timeout 60)
      TRAP=1 run_in bash login login --sso-session corp --force --no-browser
      PREFIX=()
      wait || true
      sleep 1.5 # until the delayed poll is answered and logged
      sso GET /_awsenv/calls >"$T/login/calls.json"
      keyring "$T/keyring.after"
      run_in bash again use prod-admin --refresh
      """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    let login = try Outcome(t, "login")
    let signal = try String(contentsOfFile: "\(t)/login/signal", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let calls = try JSONDecoder().decode(
      [SSOServer.Call].self,
      from: Data(contentsOf: URL(fileURLWithPath: "\(t)/login/calls.json")))
    let polls = calls.filter { $0.operation == "CreateToken" && $0.time >= login.start }
    print(
      "FAULT ctrl-c last poll: exit \(login.status) after \(login.ms) ms, polls "
        + "\(polls.map { $0.error ?? "token" }), stderr \(login.stderr.debugDescription) "
        + "(\(signal))")
    XCTAssertTrue(signal.hasPrefix("sent INT"), signal)
    XCTAssertEqual(login.envBefore, login.envAfter)
    let before = try String(contentsOfFile: "\(t)/keyring.before", encoding: .utf8)
    let after = try String(contentsOfFile: "\(t)/keyring.after", encoding: .utf8)
    try assertCompleteItems(after, "after the interrupted login")
    let lines = login.stderr.split(separator: "\n").map(String.init)
    switch login.status {
    case 130:
      XCTAssertEqual(lines.last, "awsenv: login interrupted; nothing was stored", login.stderr)
      XCTAssertEqual(before, after, "an interrupted login stores nothing")
    case 0:
      XCTAssertTrue(lines.last?.hasPrefix("awsenv: signed in to sso-session corp") ?? false)
      XCTAssertNotEqual(before, after, "a completed login stores its token")
    default:
      XCTFail("exit \(login.status): \(login.stderr)")
    }
    XCTAssertEqual(try Outcome(t, "again").status, 0, "the sign-in in the keyring works")
  }

  /// SIGINT while `login` stores the token it just got: the provider is stopped during the
  /// token's poll (CreateToken delayed 1.5 s), so the store waits on it, and SIGINT comes 0.5 s
  /// into that wait; the provider runs again after the login ended. Whatever the login says
  /// must be true of the keyring then: "nothing was stored" only if the token is the old one.
  func testInterruptDuringTheStoreOfALogin() throws {
    try sso.setBehaviour(["autoApprove": true])
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try sandbox(
      """
      awsenv login --sso-session corp --no-browser 2>/dev/null
      keyring "$T/keyring.before"
      sso POST /_awsenv/faults '{"status": 0, "delay": 1.5, "operation": "CreateToken"}' >/dev/null
      provider=$(provider_pid)
      trap 'kill -CONT "$provider"' EXIT
      # The poll starts after a 1 s wait and ends at about 2.5 s; the store follows at once.
      TAG=-stop signal login --command login --after 2000 --signal STOP --pid "$provider"
      TAG=-int signal login --command login --after 3000 --signal INT
      PREFIX=(timeout 60)
      TRAP=1 run_in bash login login --sso-session corp --force --no-browser
      PREFIX=()
      wait || true
      kill -CONT "$provider"
      sleep 1
      keyring "$T/keyring.after"
      sso GET /_awsenv/calls >"$T/login/calls.json"
      """, keep: dir)
    XCTAssertSuccess(run)
    let t = Outcome.root(dir)
    let login = try Outcome(t, "login")
    let stop = try String(contentsOfFile: "\(t)/login/signal-stop", encoding: .utf8)
    let interrupt = try String(contentsOfFile: "\(t)/login/signal-int", encoding: .utf8)
    XCTAssertTrue(stop.hasPrefix("sent STOP"), stop)
    XCTAssertTrue(interrupt.hasPrefix("sent INT"), interrupt)
    let before = try String(contentsOfFile: "\(t)/keyring.before", encoding: .utf8)
    let after = try String(contentsOfFile: "\(t)/keyring.after", encoding: .utf8)
    try assertCompleteItems(after, "after the login")
    let tokenChanged = token(in: before) != token(in: after)
    let calls = try JSONDecoder().decode(
      [SSOServer.Call].self,
      from: Data(contentsOf: URL(fileURLWithPath: "\(t)/login/calls.json")))
    // Seconds from the login's start to the answer of its token poll (logged on arrival).
    let answered = calls.filter {
      $0.operation == "CreateToken" && $0.error == nil && $0.time >= login.start
    }.map { $0.time + 1.5 - login.start }
    print(
      "FAULT ctrl-c during the store of a login: exit \(login.status) after \(login.ms) ms, "
        + "stderr \(login.stderr.debugDescription), token replaced: \(tokenChanged), token "
        + "answered \(answered.map { String(format: "%.2f", $0) }) s after the start "
        + "(\(stop.trimmingCharacters(in: .newlines)); "
        + "\(interrupt.trimmingCharacters(in: .newlines)))")
    XCTAssertEqual(login.envBefore, login.envAfter)
    if login.stderr.contains("nothing was stored") {
      XCTAssertFalse(tokenChanged, "'nothing was stored', yet the keyring has a new token")
    }
    // DECISIONS.md, "Ctrl-C during a login": SIGINT is delivered only between polls, so it
    // never cuts a keyring write. The token came before the SIGINT (3 s) and its store waits
    // on the stopped provider until the 2 s watchdog: the login must not end before that.
    let got = try XCTUnwrap(answered.first, "the token poll was answered")
    XCTAssertLessThan(got, 3, "the token came before the SIGINT")
    XCTAssertGreaterThanOrEqual(
      login.seconds, got + 2 - 0.2,
      "the SIGINT ended the login \(login.seconds) s after its start, in the middle of storing "
        + "the token it got at \(got) s: \(login.stderr)")
  }

  // MARK: The sandbox

  /// The config, alice's keys in the keyring, a cached session of dev, a signed-out SSO
  /// profile; `library`; then `script`.
  func sandbox(_ script: String, keep directory: String) throws -> RunResult {
    let world = try sts.world
    let alice = try world.user("alice")
    let dev = try world.role("dev")
    let setup = """
      mkdir -p ~/.aws
      cat >~/.aws/config <<'CONF'
      [default]
      region = us-east-1
      [profile alice]
      [profile dev]
      role_arn = \(dev)
      source_profile = alice
      [profile dev-patient]
      role_arn = \(dev)
      source_profile = alice
      max_attempts = 4
      [sso-session corp]
      sso_start_url = \(try sso.startURL)
      sso_region = us-east-1
      sso_registration_scopes = sso:account:access
      [profile prod-admin]
      sso_session = corp
      sso_account_id = 111111111111
      sso_role_name = AdministratorAccess
      [profile filekeys]
      CONF
      cat >~/.aws/credentials <<'CREDS'
      [filekeys]
      aws_access_key_id = \(Self.fileKeyID)
      aws_secret_access_key = fileSecret/00000000000000000000000000000001
      CREDS
      chmod 600 ~/.aws/credentials
      printf '%s\\n%s\\n' \(alice.accessKeyID) \(shellQuote(alice.secretAccessKey)) \\
        | "$AWSENV" add alice 2>/dev/null
      eval "$("$AWSENV" init bash)"
      awsenv use dev
      awsenv clear

      """
    let environment = [
      "AWS_ENDPOINT_URL_STS": try sts.url, "AWS_REGION": "us-east-1",
      "AWS_ENDPOINT_URL_SSO": try sso.url, "AWS_ENDPOINT_URL_SSO_OIDC": try sso.url,
      "STS": try sts.url, "SSO": try sso.url,
    ]
    return try Harness.sandbox(
      script: Self.library + setup + script, environment: environment, keep: directory)
  }

  /// Sources Tests/harness/fault_lib.sh: `run_in`, `keyring`, `files`, `signal` and the rest
  /// (described there); $T is $HOME/t.
  static let library = "source \(shellQuote(LocalServer.harness + "/fault_lib.sh"))\n"

  // MARK: Assertions

  /// Failed with status `status`, one line on stderr that starts with `awsenv: ` and contains
  /// each of `expect`, the environment byte for byte as it was, within the time given.
  func assertCleanFailure(
    _ outcome: Outcome, _ label: String, expect: [String], status: Int32 = 1,
    withinMilliseconds limit: Int? = nil, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(outcome.status, status, "\(label): \(outcome.stderr)", file: file, line: line)
    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.isEmpty }
    XCTAssertEqual(lines.count, 1, "\(label): one line\n\(outcome.stderr)", file: file, line: line)
    XCTAssertTrue(
      outcome.stderr.hasPrefix("awsenv: ") && outcome.stderr.hasSuffix("\n"),
      "\(label): \(outcome.stderr)", file: file, line: line)
    for text in expect {
      XCTAssertTrue(
        outcome.stderr.contains(text), "\(label): '\(text)' in \(outcome.stderr)", file: file,
        line: line)
    }
    XCTAssertFalse(outcome.envBefore.isEmpty, label, file: file, line: line)
    XCTAssertEqual(
      outcome.envBefore, outcome.envAfter, "\(label): env -0 changed", file: file, line: line)
    if let limit {
      XCTAssertLessThan(
        outcome.ms, limit, "\(label): took \(outcome.ms) ms", file: file, line: line)
    }
  }

  /// Two files of `$T` are byte for byte the same (but for lines that contain `ignoring`).
  func assertSame(
    _ t: String, _ first: String, _ second: String, _ label: String, ignoring: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    func read(_ name: String) throws -> String {
      let text = try String(contentsOfFile: "\(t)/\(name)", encoding: .utf8)
      guard let ignoring else { return text }
      return text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.contains(ignoring) }.joined(separator: "\n")
    }
    let one = try read(first)
    let two = try read(second)
    XCTAssertFalse(one.isEmpty, "\(label): \(first) is empty", file: file, line: line)
    XCTAssertEqual(one, two, "\(label): \(first) vs \(second)", file: file, line: line)
  }

  /// Every item of a `keyring` listing has a secret that is a complete credential document.
  func assertCompleteItems(
    _ listing: String, _ label: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    XCTAssertFalse(listing.contains("BAD "), "\(label):\n\(listing)", file: file, line: line)
    for item in listing.components(separatedBy: "\n\n") {
      let lines = item.split(separator: "\n")
      guard let secretLine = lines.first(where: { $0.hasPrefix("secret = ") }) else {
        XCTFail("\(label): an item without a secret:\n\(item)", file: file, line: line)
        continue
      }
      guard
        lines.contains("attribute.kind = session") || lines.contains("attribute.kind = access-key")
      else { continue }
      let document =
        try JSONSerialization.jsonObject(with: Data(secretLine.dropFirst(9).utf8))
        as? [String: Any]
      for key in ["Version", "AccessKeyId", "SecretAccessKey"] {
        XCTAssertNotNil(document?[key], "\(label): \(key) in\n\(item)", file: file, line: line)
      }
      if lines.contains("attribute.kind = session") {
        for key in ["SessionToken", "Expiration"] {
          XCTAssertNotNil(document?[key], "\(label): \(key) in\n\(item)", file: file, line: line)
        }
      }
    }
  }

  /// The secret of the sso-token item of a `keyring` listing.
  func token(in listing: String) -> String? {
    listing.components(separatedBy: "\n\n").first {
      $0.split(separator: "\n").contains { $0 == "attribute.kind = sso-token" }
    }.flatMap { item in
      item.split(separator: "\n").first { $0.hasPrefix("secret = ") }.map(String.init)
    }
  }

  /// How many session items of `profile` a `keyring` listing holds.
  func sessions(of profile: String, in listing: String) -> Int {
    listing.components(separatedBy: "\n\n").filter {
      let lines = $0.split(separator: "\n")
      return lines.contains("attribute.kind = session")
        && lines.contains { $0 == "attribute.profile = \(profile)" }
    }.count
  }
}

/// What one `run_in` recorded under `$T/NAME`.
struct Outcome {
  var status: Int32
  var ms: Int
  /// When the command started, in seconds since 1970.
  var start: Double
  var stderr: String
  var envBefore: Data
  var envAfter: Data

  var seconds: Double { Double(ms) / 1000 }
  var before: [String: String] { Harness.parseEnv(envBefore) }
  var after: [String: String] { Harness.parseEnv(envAfter) }

  /// `$T` of a sandbox kept in `directory`.
  static func root(_ directory: String) -> String { "\(directory)/home/t" }

  init(_ t: String, _ name: String) throws {
    let run = try ShellRun.read(t, name)
    status = run.status
    ms = run.milliseconds
    start = run.startNanoseconds / 1e9
    stderr = String(decoding: run.stderr, as: UTF8.self)
    envBefore = run.envBefore
    envAfter = run.envAfter
  }
}

/// Loopback peers for transport faults: Tests/harness/http_test_server.py (HTTP with /hang,
/// HTTPS with a self-signed certificate, a port nothing listens on), and a black hole: a
/// listener with a full accept queue, where a connect(2) is never answered.
final class LoopbackHosts: StoppableServer, @unchecked Sendable {
  let http: Int
  let https: Int
  let closed: Int
  let blackHole: Int
  private let server: HTTPTestServer
  private var sockets: [Int32] = []

  init() throws {
    server = try HTTPTestServer(environment: LocalServer.environment)
    (http, https, closed) = (server.http, server.https, server.closed)

    // Backlog 0 takes one connection into the accept queue; with it full, the kernel drops
    // every further SYN, so the next connect(2) waits until the client gives up.
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
      try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
        guard bind(listener, raw, length) == 0, listen(listener, 0) == 0,
          getsockname(listener, raw, &length) == 0
        else { throw LocalServer.Failure(description: "black hole: errno \(errno)") }
      }
    }
    blackHole = Int(UInt16(bigEndian: address.sin_port))
    sockets.append(listener)
    for _ in 0..<2 {
      let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
      _ = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      sockets.append(filler)
    }
    Thread.sleep(forTimeInterval: 0.2)
  }

  func stop() {
    server.stop()
    for fd in sockets { close(fd) }
    sockets = []
  }
}
