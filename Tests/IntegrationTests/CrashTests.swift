import Foundation
import XCTest

/// A crash while a key is in memory: no core file, no crash report on stderr (the Swift
/// runtime's backtracer would print 16 bytes at every register).
final class CrashTests: XCTestCase {
  func testACrashMidCallLeavesNoCoreAndNoReport() throws {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    let run = try Harness.sandbox(
      script: """
        # STS that accepts the connection and never answers: awsenv is mid-call, keys loaded.
        python3 -c 'import socket, sys, time
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
        print(s.getsockname()[1], flush=True); c = s.accept(); time.sleep(20)' >port &
        server=$!
        while [ ! -s port ]; do sleep 0.05; done
        mkdir -p ~/.aws
        printf '[profile keys]\\n[profile role]\\nrole_arn = arn:aws:iam::123456789012:role/r\\nsource_profile = keys\\n' >~/.aws/config
        printf 'AKIAIOSFODNN7EXAMPLE\\n%s\\n' '\(secret)' | "$AWSENV" add keys 2>/dev/null
        eval "$("$AWSENV" init bash)"
        export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(cat port)"
        mkdir crash && cd crash
        ulimit -c unlimited
        # This machine does write core files: a control process leaves one.
        sleep 30 & control=$!
        sleep 0.2
        kill -SEGV $control
        wait $control || echo "control $?"
        ls core* >/dev/null 2>&1 && echo "control dumped core" && rm -f core*
        for sig in SEGV ABRT BUS; do
          awsenv use role 2>"$sig.err" &
          job=$!
          for _ in $(seq 100); do
            pid=$(pgrep -P "$job" -f "awsenv use role" || pgrep -f "^$AWSENV use role" || true)
            [ -n "$pid" ] && break
            sleep 0.05
          done
          sleep 0.5
          kill -"$sig" $pid
          wait $job || echo "$sig status $?"
        done
        kill $server
        echo "files: $(ls -A | tr '\\n' ' ')"
        echo "stderr bytes: $(cat ./*.err | wc -c)"
        grep -c 'Registers\\|Backtrac\\|crashed' ./*.err || true
        """)
    XCTAssertSuccess(run)
    let out = run.stdout
    XCTAssertTrue(out.contains("control 139"), out)
    XCTAssertTrue(out.contains("control dumped core"), out)
    XCTAssertTrue(out.contains("SEGV status 139"), out)
    XCTAssertTrue(out.contains("ABRT status 134"), out)
    XCTAssertTrue(out.contains("BUS status 135"), out)
    XCTAssertTrue(out.contains("files: ABRT.err BUS.err SEGV.err \n"), "no core file: \(out)")
    XCTAssertTrue(out.contains("stderr bytes: 0"), "no crash report: \(out)")
    XCTAssertFalse(run.stderr.contains(secret))
  }
}
