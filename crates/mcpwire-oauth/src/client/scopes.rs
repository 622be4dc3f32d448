//! Which scopes to request: the challenge's `scope`, else the resource's
//! `scopes_supported`, else none; united with what was requested before
//! (step-up keeps earlier grants), plus `offline_access` when the
//! authorization server lists it.

/// Splits a space-separated scope string.
pub(crate) fn split(scope: &str) -> Vec<String> {
    scope.split_ascii_whitespace().map(str::to_owned).collect()
}

/// The scope set of an authorization request, in a stable order, or
/// `None` to leave `scope` out.
///
/// * `challenged`: the `scope` of the `WWW-Authenticate` challenge;
/// * `resource_supported`: the protected resource's `scopes_supported`;
/// * `previous`: the scopes requested for the current token (kept, so that
///   a step-up does not lose earlier permissions);
/// * `as_supported`: the authorization server's `scopes_supported`, which
///   decides whether `offline_access` is added (when `offline` is set and
///   something else is requested).
pub(crate) fn select(
    challenged: Option<&str>,
    resource_supported: Option<&[String]>,
    previous: &[String],
    as_supported: Option<&[String]>,
    offline: bool,
) -> Option<Vec<String>> {
    fn push(out: &mut Vec<String>, s: &str) {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_owned());
        }
    }
    let mut out: Vec<String> = Vec::new();
    for s in previous {
        push(&mut out, s);
    }
    match challenged.filter(|c| !c.trim().is_empty()) {
        Some(c) => split(c).iter().for_each(|s| push(&mut out, s)),
        None => resource_supported
            .unwrap_or_default()
            .iter()
            .for_each(|s| push(&mut out, s)),
    }
    if out.is_empty() {
        return None;
    }
    if offline && as_supported.is_some_and(|a| a.iter().any(|s| s == "offline_access")) {
        push(&mut out, "offline_access");
    }
    Some(out)
}

/// Whether every scope of `needed` is among `granted`.
pub(crate) fn covers(granted: &[String], needed: &str) -> bool {
    split(needed).iter().all(|n| granted.iter().any(|g| g == n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn challenge_then_supported_then_none() {
        let sup = v(&["a", "b"]);
        assert_eq!(
            select(Some("x y"), Some(&sup), &[], None, true),
            Some(v(&["x", "y"]))
        );
        assert_eq!(
            select(None, Some(&sup), &[], None, true),
            Some(v(&["a", "b"]))
        );
        assert_eq!(select(None, None, &[], None, true), None);
        assert_eq!(
            select(Some(" "), None, &[], Some(&v(&["offline_access"])), true),
            None
        );
    }

    #[test]
    fn union_and_offline_access() {
        let asup = v(&["a", "offline_access"]);
        assert_eq!(
            select(Some("w"), None, &v(&["a"]), Some(&asup), true),
            Some(v(&["a", "w", "offline_access"]))
        );
        assert_eq!(
            select(Some("w"), None, &[], Some(&asup), false),
            Some(v(&["w"]))
        );
        assert_eq!(
            select(Some("w"), None, &[], Some(&v(&["w"])), true),
            Some(v(&["w"]))
        );
        assert!(covers(&v(&["a", "b"]), "b a"));
        assert!(!covers(&v(&["a"]), "a b"));
    }
}
