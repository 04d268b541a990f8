import Foundation

/// The calls of the two services, with their REST bindings from botocore's models.
public enum SSOOperation: String, Sendable {
  case registerClient = "RegisterClient"
  case startDeviceAuthorization = "StartDeviceAuthorization"
  case createToken = "CreateToken"
  case getRoleCredentials = "GetRoleCredentials"
  case listAccounts = "ListAccounts"
  case listAccountRoles = "ListAccountRoles"
  case logout = "Logout"

  var isOIDC: Bool {
    switch self {
    case .registerClient, .startDeviceAuthorization, .createToken: return true
    default: return false
    }
  }

  var method: String {
    switch self {
    case .getRoleCredentials, .listAccounts, .listAccountRoles: return "GET"
    default: return "POST"
    }
  }

  var path: String {
    switch self {
    case .registerClient: return "/client/register"
    case .startDeviceAuthorization: return "/device_authorization"
    case .createToken: return "/token"
    case .getRoleCredentials: return "/federation/credentials"
    case .listAccounts: return "/assignment/accounts"
    case .listAccountRoles: return "/assignment/roles"
    case .logout: return "/logout"
    }
  }
}
