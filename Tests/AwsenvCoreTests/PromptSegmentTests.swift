import XCTest

@testable import AwsenvCore

final class PromptSegmentTests: XCTestCase {
  static let now = 1_800_000_000
  static let role = PromptSegment(
    profile: "prod", identity: "Admin@123456789012", region: "eu-west-1",
    expires: now + 42 * 60 + 30, refreshAt: now + 37 * 60)

  func testNoProfileNoSegment() {
    XCTAssertNil(PromptSegment(environment: [:]))
    XCTAssertNil(PromptSegment(environment: ["AWSENV_PROFILE": "", "AWS_REGION": "x"]))
  }

  func testFromEnvironment() {
    let segment = PromptSegment(environment: [
      "AWSENV_PROFILE": "prod", "AWSENV_IDENTITY": "Admin@123456789012",
      "AWS_DEFAULT_REGION": "eu-west-1", "AWSENV_EXPIRES": "1800002550",
      "AWSENV_REFRESH_AT": "1800002220",
    ])
    XCTAssertEqual(
      segment,
      PromptSegment(
        profile: "prod", identity: "Admin@123456789012", region: "eu-west-1",
        expires: 1_800_002_550, refreshAt: 1_800_002_220))
    let regions = PromptSegment(environment: [
      "AWSENV_PROFILE": "p", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-west-1",
    ])
    XCTAssertEqual(regions?.region, "us-east-1", "AWS_REGION wins, as in the SDKs")
  }

  func testNumbersAreDigitsOnly() {
    for bad in ["", "-5", "+5", " 5", "5 ", "1e9", "0x10", "a[$(id)]", "1234567890123456789"] {
      let segment = PromptSegment(environment: ["AWSENV_PROFILE": "p", "AWSENV_EXPIRES": bad])
      XCTAssertNil(segment?.expires, bad)
    }
    let padded = PromptSegment(environment: ["AWSENV_PROFILE": "p", "AWSENV_EXPIRES": "0099"])
    XCTAssertEqual(padded?.expires, 99, "leading zeros are decimal, as in the hooks' 10#")
  }

  func testDefaultFormat() {
    let now = Self.now
    XCTAssertEqual(
      Self.role.render(now: now, color: false), "aws:prod (Admin@123456789012) eu-west-1 42m")
    let keys = PromptSegment(profile: "dev", region: "us-east-1")
    XCTAssertEqual(keys.render(now: now, color: true), "aws:dev us-east-1")
    XCTAssertEqual(PromptSegment(profile: "dev").render(now: now, color: true), "aws:dev")
  }

  func testStatusAndMarks() {
    let segment = Self.role
    let refreshAt = segment.refreshAt!
    let expires = segment.expires!
    XCTAssertEqual(segment.status(now: refreshAt - 1), .valid)
    XCTAssertEqual(segment.status(now: refreshAt), .expiring)
    XCTAssertEqual(segment.status(now: expires - 1), .expiring)
    XCTAssertEqual(segment.status(now: expires), .expired)
    XCTAssertEqual(PromptSegment(profile: "p").status(now: 0), .longLived)

    XCTAssertEqual(segment.timeLeft(now: refreshAt - 1, color: true), "5m")
    XCTAssertEqual(segment.timeLeft(now: refreshAt, color: false), "5m!")
    XCTAssertEqual(segment.timeLeft(now: refreshAt, color: true), "\u{1B}[33m5m\u{1B}[39m")
    XCTAssertEqual(segment.timeLeft(now: expires, color: false), "expired")
    XCTAssertEqual(segment.timeLeft(now: expires + 999, color: true), "\u{1B}[31mexpired\u{1B}[39m")
    XCTAssertEqual(PromptSegment(profile: "p").timeLeft(now: 0, color: true), "")
  }

  func testDurations() {
    let table: [(Int, String)] = [
      (0, "0s"), (59, "59s"), (60, "1m"), (3599, "59m"), (3600, "1h00m"),
      (3600 + 5 * 60 + 59, "1h05m"),
      (12 * 3600 + 30 * 60, "12h30m"), (36 * 3600, "36h00m"),
    ]
    for (seconds, text) in table {
      XCTAssertEqual(PromptSegment.duration(seconds), text, "\(seconds)")
    }
  }

  func testFormatPlaceholdersAndEmptyWords() {
    let now = Self.now
    let keys = PromptSegment(profile: "dev")
    let table: [(String, String)] = [
      ("%p", "dev"),
      ("☁ %p [%r] %t", "☁ dev"),
      ("%p|%r|%i", "dev||"),
      ("100%% %p", "100% dev"),
      ("%x %p %", "%x dev %"),
      ("a  %r  b", "a   b"),
      (" %p ", " dev "),
      ("%r%i", ""),
      ("%p%%%r", "dev%"),
    ]
    for (format, expected) in table {
      XCTAssertEqual(keys.render(format: format, now: now, color: false), expected, format)
    }
    XCTAssertEqual(
      Self.role.render(format: "%p@%r:%t", now: now, color: false), "prod@eu-west-1:42m")
  }

  func testValuesCannotControlTheTerminal() {
    let hostile = PromptSegment(
      profile: "a\u{1B}[2Jb\nc", identity: "\u{7}x\u{9B}y", region: "r\u{7F}")
    XCTAssertEqual(
      hostile.render(now: Self.now, color: false), "aws:a?[2Jb?c (?x?y) r?")
    XCTAssertEqual(
      PromptSegment(profile: "%t $(id) `id`").render(format: "%p", now: 0, color: true),
      "%t $(id) `id`", "values are never expanded again")
  }

  func testFormatAndColourFromEnvironment() {
    XCTAssertEqual(PromptSegment.format(environment: [:]), PromptSegment.defaultFormat)
    XCTAssertEqual(
      PromptSegment.format(environment: ["AWSENV_PROMPT_FORMAT": ""]), PromptSegment.defaultFormat)
    XCTAssertEqual(PromptSegment.format(environment: ["AWSENV_PROMPT_FORMAT": "%p"]), "%p")
    XCTAssertTrue(PromptSegment.colorAllowed(environment: ["TERM": "xterm-256color"]))
    XCTAssertTrue(PromptSegment.colorAllowed(environment: ["NO_COLOR": ""]))
    XCTAssertFalse(PromptSegment.colorAllowed(environment: ["NO_COLOR": "1"]))
    XCTAssertFalse(PromptSegment.colorAllowed(environment: ["TERM": "dumb"]))
  }
}
