import Foundation
import XCTest

/// `awsenv list` with its index of item paths, against a real gnome-keyring on a private D-Bus:
/// items added and removed between listings (by awsenv and by another client) show exactly.
final class KeyringIndexTests: XCTestCase {
  static let secrets = [
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY002",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY003",
  ]

  func testListSeesItemsComeAndGo() throws {
    let dir = try Harness.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Harness.sandbox(
      script: """
        n=1
        for p in one two three; do
          AWS_ACCESS_KEY_ID=AKIAAWSENVTEST00000$n \\
            AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY00$n \\
            "$AWSENV" add $p --env 2>/dev/null
          n=$((n + 1))
        done
        "$AWSENV" list --json >list1.json
        stat -c '%a' "$XDG_CACHE_HOME/awsenv" "$XDG_CACHE_HOME/awsenv/keyring-index" >modes.txt
        cp "$XDG_CACHE_HOME/awsenv/keyring-index" index1.txt
        "$AWSENV" remove two 2>/dev/null
        # An item awsenv did not write: a session of profile four, from another client.
        printf '{}' | secret-tool store --label 'other client' xdg:schema org.awsenv.Credential \\
          application awsenv profile four kind session version 1 expires 1900000000
        "$AWSENV" list --json >list2.json
        cp "$XDG_CACHE_HOME/awsenv/keyring-index" index2.txt
        "$AWSENV" list --json >list3.json
        """, keep: dir)
    XCTAssertSuccess(run)
    let home = "\(dir)/home"
    func rows(_ name: String) throws -> [String: [String: Any]] {
      let data = try Data(contentsOf: URL(fileURLWithPath: "\(home)/\(name)"))
      let array = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
      return Dictionary(uniqueKeysWithValues: array.map { ($0["profile"] as! String, $0) })
    }
    func keyed(_ rows: [String: [String: Any]]) -> [String] {
      rows.filter { $0.value["keysInKeyring"] as? Bool == true }.keys.sorted()
    }
    let first = try rows("list1.json")
    XCTAssertEqual(keyed(first), ["one", "three", "two"])
    XCTAssertEqual(
      try String(contentsOfFile: "\(home)/modes.txt", encoding: .utf8), "700\n600\n")

    let second = try rows("list2.json")
    XCTAssertEqual(keyed(second), ["one", "three"])
    XCTAssertEqual(second["four"]?["sessionExpires"] as? String, "2030-03-17T17:46:40Z")
    XCTAssertEqual(second["four"]?["keysInKeyring"] as? Bool, false)
    let third = try rows("list3.json")
    XCTAssertEqual(keyed(third), ["one", "three"])
    XCTAssertEqual(third["four"]?["sessionExpires"] as? String, "2030-03-17T17:46:40Z")

    let index1 = try String(contentsOfFile: "\(home)/index1.txt", encoding: .utf8)
    let index2 = try String(contentsOfFile: "\(home)/index2.txt", encoding: .utf8)
    XCTAssertEqual(index1.split(separator: "\n").count, 2 + 3, index1)
    XCTAssertTrue(index1.contains("\ttwo\taccess-key\t"), index1)
    XCTAssertEqual(index2.split(separator: "\n").count, 2 + 3, index2)
    XCTAssertFalse(index2.contains("\ttwo\t"), index2)
    XCTAssertTrue(index2.contains("\tfour\tsession\t1900000000"), index2)
    try assertNoPlaintext(in: dir, secrets: Self.secrets)
  }
}
