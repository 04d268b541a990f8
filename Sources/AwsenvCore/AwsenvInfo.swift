/// awsenv's version, for the User-Agent and `--version`.
public enum AwsenvInfo {
  public static let version = "0.1.0"
}
