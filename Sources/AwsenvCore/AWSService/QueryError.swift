/// The `<Error>` element of a query-protocol error body (STS, IAM), in each form botocore's
/// QueryParser reads: `<ErrorResponse><Error>…` (STS and IAM themselves),
/// `<ErrorResponse><Errors><Error>…` or `<Response><Errors><Error>…` (EC2's form, which local
/// emulators such as moto use for authorisation failures), or a bare `<Error>`.
func queryErrorElement(in document: XMLElementNode) -> XMLElementNode? {
  if document.name == "Error" { return document }
  return document.child("Error") ?? document.path("Errors", "Error")
}
