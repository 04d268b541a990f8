import XCTest

@testable import AwsenvCore

/// The XML reader of STS responses: what AWS sends reads, everything else is refused (no
/// DOCTYPE, no entity beyond XML's own, bounded depth and size).
final class XMLDocumentTests: XCTestCase {
  func parse(_ text: String) -> XMLElementNode? { XMLElementNode.parse(Array(text.utf8)) }

  func testAnSTSResponseWithPrefixesCommentsCDATAAndReferences() throws {
    let document = try XCTUnwrap(
      parse(
        """
        \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment -->
        <sts:AssumeRoleResponse xmlns:sts="https://sts.amazonaws.com/doc/2011-06-15/" a='x>y'>
          <sts:AssumeRoleResult>
            <Credentials>
              <AccessKeyId>ASIA&amp;&lt;&gt;&quot;&apos;&#65;&#x42;</AccessKeyId>
              <SecretAccessKey><![CDATA[s<e>c&ret]]></SecretAccessKey>
              <Empty/>
            </Credentials>
          </sts:AssumeRoleResult>
        </sts:AssumeRoleResponse>
        <?trailing instruction?>
        """))
    XCTAssertEqual(document.name, "AssumeRoleResponse")
    XCTAssertEqual(
      document.value("AssumeRoleResult", "Credentials", "AccessKeyId"), "ASIA&<>\"'AB")
    XCTAssertEqual(
      document.value("AssumeRoleResult", "Credentials", "SecretAccessKey"), "s<e>c&ret")
    XCTAssertNotNil(document.path("AssumeRoleResult", "Credentials", "Empty"))
    XCTAssertNil(document.value("AssumeRoleResult", "Credentials", "Empty"))
  }

  func testWhatAWSNeverSendsIsRefused() {
    let refused = [
      "",
      "<a>",
      "<a></b>",
      "<a/><b/>",
      "<a>x</a>trailing",
      "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
      "<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>",
      "<a>&unknown;</a>",
      "<a>&#0;</a>",
      "<a>&#xFFFE;</a>",
      "<a>&#x110000;</a>",
      "<a>&amp</a>",
      "<a>\u{1}</a>",
      "<a b='1' b></a>",
      "<a><![CDATA[open</a>",
      "<a><!-- open</a>",
    ]
    for text in refused {
      XCTAssertNil(parse(text), "accepted: \(text.debugDescription)")
    }
    XCTAssertNil(
      XMLElementNode.parse([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E]), "not UTF-8")
  }

  func testDepthAndSizeAreBounded() {
    let deep = { (depth: Int) in
      String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
    }
    XCTAssertNotNil(parse(deep(XMLElementNode.maxDepth)))
    XCTAssertNil(parse(deep(XMLElementNode.maxDepth + 1)))
    XCTAssertNil(parse(deep(100_000)), "deep nesting is an error, not a stack overflow")
    let wide = { (count: Int) in "<r>" + String(repeating: "<e/>", count: count) + "</r>" }
    XCTAssertNotNil(parse(wide(XMLElementNode.maxElements - 1)))
    XCTAssertNil(parse(wide(XMLElementNode.maxElements)))
  }
}
