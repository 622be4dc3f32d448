//! The OAuth 2.0 Protected Resource Metadata document (RFC 9728) that
//! tells clients which authorization servers issue tokens for this server.

/// The well-known path prefix of the metadata document.
pub const PRM_WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// An RFC 9728 protected resource metadata document.
///
/// ```
/// use mcpwire_oauth::resource::ProtectedResourceMetadata;
///
/// let prm = ProtectedResourceMetadata::new("https://mcp.example.com/mcp")
///     .authorization_server("https://auth.example.com")
///     .scopes(["mcp:tools"]);
/// assert_eq!(
///     prm.metadata_url(),
///     "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProtectedResourceMetadata {
    /// The canonical URI of this MCP server (the token audience).
    pub resource: String,
    /// The issuers clients may get tokens from.
    pub authorization_servers: Vec<String>,
    /// The scopes this server understands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// How tokens may be sent: only `header` (never query or body).
    pub bearer_methods_supported: Vec<String>,
    /// A human-readable name for the resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
}

impl ProtectedResourceMetadata {
    /// Metadata for the server whose canonical URI is `resource`
    /// (scheme, host and path, e.g. `https://mcp.example.com/mcp`).
    pub fn new(resource: impl Into<String>) -> Self {
        ProtectedResourceMetadata {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            bearer_methods_supported: vec!["header".into()],
            resource_name: None,
        }
    }

    /// Adds an authorization server (its issuer URL); call it once for each.
    ///
    /// ```
    /// use mcpwire_oauth::resource::ProtectedResourceMetadata;
    /// let prm = ProtectedResourceMetadata::new("https://mcp.example.com/mcp")
    ///     .authorization_server("https://auth.example.com")
    ///     .authorization_server("https://login.partner.example");
    /// assert_eq!(
    ///     serde_json::to_value(&prm).unwrap()["authorization_servers"],
    ///     serde_json::json!(["https://auth.example.com", "https://login.partner.example"])
    /// );
    /// ```
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// Sets `scopes_supported`.
    ///
    /// ```
    /// use mcpwire_oauth::resource::ProtectedResourceMetadata;
    /// let prm = ProtectedResourceMetadata::new("https://mcp.example.com/mcp").scopes(["mcp:tools", "mcp:admin"]);
    /// assert_eq!(
    ///     serde_json::to_value(&prm).unwrap()["scopes_supported"],
    ///     serde_json::json!(["mcp:tools", "mcp:admin"])
    /// );
    /// ```
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `resource_name`, which clients may show the user.
    ///
    /// ```
    /// use mcpwire_oauth::resource::ProtectedResourceMetadata;
    /// let prm = ProtectedResourceMetadata::new("https://mcp.example.com/mcp").name("Example MCP");
    /// assert_eq!(
    ///     serde_json::to_value(&prm).unwrap(),
    ///     serde_json::json!({
    ///         "resource": "https://mcp.example.com/mcp",
    ///         "authorization_servers": [],
    ///         "bearer_methods_supported": ["header"],
    ///         "resource_name": "Example MCP"
    ///     })
    /// );
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// The path of `resource` (`/mcp`), or `""` when it has none.
    pub(crate) fn resource_path(&self) -> &str {
        let after_scheme = self
            .resource
            .split_once("://")
            .map_or(self.resource.as_str(), |(_, r)| r);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        let path = path.split(['?', '#']).next().unwrap_or("");
        path.trim_end_matches('/')
    }

    /// Where the document is served, per RFC 9728 §3.1: the well-known
    /// path inserted between the host and the resource's path.
    pub fn metadata_url(&self) -> String {
        let path = self.resource_path();
        let scheme_end = self.resource.find("://").map_or(0, |i| i + 3);
        let origin_end = self.resource[scheme_end..]
            .find(['/', '?', '#'])
            .map_or(self.resource.len(), |i| scheme_end + i);
        format!("{}{PRM_WELL_KNOWN}{path}", &self.resource[..origin_end])
    }
}

/// Whether `aud` names the resource `canonical`: scheme and host compared
/// without regard to ASCII case, and a trailing `/` ignored (the spec
/// asks servers to accept both, though the canonical form has neither).
pub(crate) fn same_resource(aud: &str, canonical: &str) -> bool {
    fn split(u: &str) -> (&str, &str) {
        let u = u.strip_suffix('/').unwrap_or(u);
        let scheme_end = u.find("://").map_or(0, |i| i + 3);
        let origin_end = u[scheme_end..]
            .find('/')
            .map_or(u.len(), |i| scheme_end + i);
        (&u[..origin_end], &u[origin_end..])
    }
    let (a_origin, a_path) = split(aud);
    let (c_origin, c_path) = split(canonical);
    a_origin.eq_ignore_ascii_case(c_origin) && a_path == c_path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_url_inserts_the_well_known_path_after_the_host() {
        let url = |r: &str| ProtectedResourceMetadata::new(r).metadata_url();
        assert_eq!(
            url("https://mcp.example.com"),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            url("https://mcp.example.com/"),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            url("https://mcp.example.com:8443/a/b"),
            "https://mcp.example.com:8443/.well-known/oauth-protected-resource/a/b"
        );
    }

    #[test]
    fn same_resource_ignores_origin_case_and_a_trailing_slash_only() {
        let c = "https://mcp.example.com/mcp";
        assert!(same_resource("HTTPS://MCP.example.com/mcp", c));
        assert!(same_resource("https://mcp.example.com/mcp/", c));
        assert!(!same_resource("https://mcp.example.com/MCP", c));
        assert!(!same_resource("https://mcp.example.com", c));
        assert!(!same_resource("https://mcp.example.com.evil/mcp", c));
        assert!(!same_resource("https://mcp.example.com:444/mcp", c));
    }
}
