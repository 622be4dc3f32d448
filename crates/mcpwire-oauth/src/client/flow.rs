//! The authorization-code flow's front channel: the authorization request
//! URL (with PKCE, `state` and the RFC 8707 `resource`) and the validation
//! of the authorization response (`state`, RFC 9207 `iss`, `error`).

use reqwest::Url;

use super::{AuthError, Pkce, ServerMetadata, check_server_url};

/// One pending authorization request: what the response is checked
/// against and the token request needs.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub pkce: Pkce,
    pub state: String,
    /// The issuer recorded from the validated metadata (RFC 9207).
    pub issuer: String,
    /// Whether the metadata advertised
    /// `authorization_response_iss_parameter_supported`.
    pub iss_required: bool,
    pub redirect_uri: String,
}

/// The authorization request URL.
pub(crate) fn authorization_url(
    meta: &ServerMetadata,
    client_id: &str,
    pending: &Pending,
    scope: Option<&[String]>,
    resource: &str,
) -> Result<Url, AuthError> {
    // The URL goes to a browser: https, or http on this machine, only.
    let mut url = check_server_url("authorization endpoint", &meta.authorization_endpoint)?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", &pending.redirect_uri)
            .append_pair("code_challenge", pending.pkce.challenge())
            .append_pair("code_challenge_method", pending.pkce.method())
            .append_pair("state", &pending.state)
            .append_pair("resource", resource);
        if let Some(scope) = scope {
            q.append_pair("scope", &scope.join(" "));
        }
    }
    Ok(url)
}

/// Checks the authorization response at `callback` and returns its code.
///
/// RFC 9207 §2.4 as the MCP specification tabulates it: a present `iss`
/// must equal the recorded issuer by simple string comparison (no
/// normalization), whether or not the server advertised it; an absent
/// `iss` is refused when the server advertised it. On an `iss` mismatch
/// the response's `error` fields are not shown.
pub(crate) fn authorization_code(callback: &Url, pending: &Pending) -> Result<String, AuthError> {
    let mut code = None;
    let mut state = None;
    let mut iss = None;
    let mut error = None;
    let mut error_description = None;
    for (k, v) in callback.query_pairs() {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "iss" => iss = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => error_description = Some(v.into_owned()),
            _ => {}
        }
    }
    let reject = |m: String| Err(AuthError::AuthorizationResponse(m));
    match &iss {
        Some(i) if *i != pending.issuer => {
            return reject(format!(
                "its iss {i:?} is not the authorization server's issuer {:?} (RFC 9207); the response may come from another server",
                pending.issuer
            ));
        }
        None if pending.iss_required => {
            return reject(format!(
                "it has no iss although {:?} advertises authorization_response_iss_parameter_supported (RFC 9207)",
                pending.issuer
            ));
        }
        _ => {}
    }
    if state.as_deref() != Some(pending.state.as_str()) {
        return reject("its state does not match the request's".to_owned());
    }
    if let Some(e) = error {
        return reject(match error_description {
            Some(d) => format!("the authorization server answered {e}: {d}"),
            None => format!("the authorization server answered {e}"),
        });
    }
    match code {
        Some(c) if !c.is_empty() => Ok(c),
        _ => reject("it carries no authorization code".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(iss_required: bool) -> Pending {
        Pending {
            pkce: Pkce::from_verifier("v".repeat(43)),
            state: "st".into(),
            issuer: "https://as.example".into(),
            iss_required,
            redirect_uri: "http://localhost/cb".into(),
        }
    }

    fn cb(q: &str) -> Url {
        Url::parse(&format!("http://localhost/cb?{q}")).unwrap()
    }

    #[test]
    fn iss_table_of_rfc9207() {
        let ok = "code=c&state=st&iss=https%3A%2F%2Fas.example";
        assert_eq!(authorization_code(&cb(ok), &pending(true)).unwrap(), "c");
        assert_eq!(authorization_code(&cb(ok), &pending(false)).unwrap(), "c");
        assert!(authorization_code(&cb("code=c&state=st"), &pending(true)).is_err());
        assert_eq!(
            authorization_code(&cb("code=c&state=st"), &pending(false)).unwrap(),
            "c"
        );
        let slash = "code=c&state=st&iss=https%3A%2F%2Fas.example%2F";
        assert!(authorization_code(&cb(slash), &pending(false)).is_err());
        let evil = "error=access_denied&state=st&iss=https%3A%2F%2Fevil";
        let e = authorization_code(&cb(evil), &pending(false))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("access_denied"), "{e}");
    }

    #[test]
    fn state_and_errors() {
        assert!(authorization_code(&cb("code=c&state=other"), &pending(false)).is_err());
        let e = authorization_code(&cb("error=access_denied&state=st"), &pending(false))
            .unwrap_err()
            .to_string();
        assert!(e.contains("access_denied"), "{e}");
        assert!(authorization_code(&cb("state=st"), &pending(false)).is_err());
    }
}
