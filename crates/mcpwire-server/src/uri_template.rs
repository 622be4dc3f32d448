//! RFC 6570 URI templates: expansion and matching, for resource templates.
//!
//! Matching supports the operators resource templates use in practice:
//! simple `{var}`, reserved `{+var}`, fragment `{#var}`, label `{.var}`,
//! path segments `{/var}`, and query `{?a,b}` / `{&a}`. It takes time
//! linear in the URI's length (see [`UriTemplate::match_uri`]).

mod matching;

use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Expr { op: Option<char>, vars: Vec<String> },
}

/// A parsed URI template.
///
/// ```
/// use mcpwire_server::UriTemplate;
/// let t = UriTemplate::parse("ticket://{ticket_id}").unwrap();
/// let vars = t.match_uri("ticket://42").unwrap();
/// assert_eq!(vars["ticket_id"], "42");
/// assert!(t.match_uri("ticket://42/extra").is_none());
/// let f = UriTemplate::parse("file:///{+path}").unwrap();
/// assert_eq!(f.match_uri("file:///a/b.txt").unwrap()["path"], "a/b.txt");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

/// A template that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid URI template: {}", self.0)
    }
}

impl std::error::Error for TemplateError {}

impl UriTemplate {
    /// Parses a template.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find('{') {
            if rest[..open].contains('}') {
                return Err(TemplateError(format!("stray '}}' in {source:?}")));
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| TemplateError(format!("unclosed '{{' in {source:?}")))?
                + open;
            let body = &rest[open + 1..close];
            let (op, names) = match body.chars().next() {
                Some(c @ ('+' | '#' | '.' | '/' | ';' | '?' | '&')) => (Some(c), &body[1..]),
                _ => (None, body),
            };
            let vars: Vec<String> = names
                .split(',')
                .map(|v| {
                    v.trim_end_matches('*')
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect();
            if vars.iter().any(|v| {
                v.is_empty()
                    || !v
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '%')
            }) {
                return Err(TemplateError(format!("bad variable name in {{{body}}}")));
            }
            parts.push(Part::Expr { op, vars });
            rest = &rest[close + 1..];
        }
        if rest.contains('}') {
            return Err(TemplateError(format!("stray '}}' in {source:?}")));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(UriTemplate {
            source: source.to_owned(),
            parts,
        })
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order.
    pub fn variables(&self) -> Vec<&str> {
        self.parts
            .iter()
            .flat_map(|p| match p {
                Part::Expr { vars, .. } => vars.iter().map(String::as_str).collect(),
                Part::Literal(_) => Vec::new(),
            })
            .collect()
    }

    /// Expands the template with `vars` (missing variables expand to nothing).
    pub fn expand(&self, vars: &HashMap<String, String>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(l) => out.push_str(l),
                Part::Expr { op, vars: names } => {
                    let present: Vec<(&String, &String)> = names
                        .iter()
                        .filter_map(|n| vars.get(n).map(|v| (n, v)))
                        .collect();
                    for (i, (name, value)) in present.iter().enumerate() {
                        let reserved = matches!(op, Some('+' | '#'));
                        let enc = encode(value, reserved);
                        match (op, i) {
                            (Some('#'), 0) => out.push('#'),
                            (Some('.'), _) => out.push('.'),
                            (Some('/'), _) => out.push('/'),
                            (Some(';'), _) => out.push(';'),
                            (Some('?'), 0) => out.push('?'),
                            (Some('?' | '&'), _) => out.push('&'),
                            (None | Some('+' | '#'), i) if i > 0 => out.push(','),
                            _ => {}
                        }
                        if matches!(op, Some('?' | '&' | ';')) {
                            out.push_str(name);
                            out.push('=');
                        }
                        out.push_str(&enc);
                    }
                }
            }
        }
        out
    }

    /// Matches a URI against the template, returning the variables'
    /// (percent-decoded) values.
    ///
    /// Matching is one left-to-right pass that never backtracks, so it
    /// takes time linear in the URI's length whatever the URI holds. A
    /// value is non-empty and ends where what follows its expression
    /// first occurs: the next literal, or the next expression's leading
    /// character (`/`, `.`, `#`, `?`, `&`). A reserved value (`{+var}`,
    /// `{#var}`) may hold any character and ends at the *last* such
    /// occurrence instead. A value followed by nothing, or by an expression
    /// with no leading character, runs as far as its characters allow. A
    /// query expression (`{?a}`, `{&a}`) may be absent, and runs to the
    /// fragment or the end.
    ///
    /// ```
    /// use mcpwire_server::UriTemplate;
    /// let t = UriTemplate::parse("repo://{owner}/{name}{?ref}").unwrap();
    /// let v = t.match_uri("repo://ada/engine?ref=main").unwrap();
    /// assert_eq!((v["owner"].as_str(), v["name"].as_str(), v["ref"].as_str()), ("ada", "engine", "main"));
    /// let t = UriTemplate::parse("file:///{+dir}/{name}").unwrap();
    /// let v = t.match_uri("file:///a/b/c.txt").unwrap();
    /// assert_eq!((v["dir"].as_str(), v["name"].as_str()), ("a/b", "c.txt"));
    /// ```
    pub fn match_uri(&self, uri: &str) -> Option<HashMap<String, String>> {
        matching::match_parts(&self.parts, uri).0
    }
}

fn encode(value: &str, reserved: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        let res = matches!(
            b,
            b':' | b'/'
                | b'?'
                | b'#'
                | b'['
                | b']'
                | b'@'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
        );
        if unreserved || (reserved && res) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(t: &str, uri: &str) -> Option<HashMap<String, String>> {
        UriTemplate::parse(t).unwrap().match_uri(uri)
    }

    #[test]
    fn simple_variables_stop_at_slashes() {
        assert_eq!(m("ticket://{id}", "ticket://42").unwrap()["id"], "42");
        assert!(m("ticket://{id}", "ticket://").is_none());
        assert!(m("ticket://{id}", "ticket://4/2").is_none());
        let v = m("db://{schema}/{table}", "db://main/users").unwrap();
        assert_eq!(
            (v["schema"].as_str(), v["table"].as_str()),
            ("main", "users")
        );
    }

    #[test]
    fn values_are_percent_decoded() {
        assert_eq!(
            m("note://{title}", "note://hello%20world").unwrap()["title"],
            "hello world"
        );
    }

    #[test]
    fn reserved_and_path_operators() {
        assert_eq!(
            m("file://{+path}", "file:///etc/hosts").unwrap()["path"],
            "/etc/hosts"
        );
        assert_eq!(m("repo://x{/seg}", "repo://x/abc").unwrap()["seg"], "abc");
        let v = m("search://items{?q,limit}", "search://items?q=rust&limit=5").unwrap();
        assert_eq!((v["q"].as_str(), v["limit"].as_str()), ("rust", "5"));
        assert!(m("search://items{?q}", "search://items").is_some());
    }

    #[test]
    fn expansion_round_trips() {
        let t = UriTemplate::parse("note://{title}{?tag}").unwrap();
        let mut vars = HashMap::new();
        vars.insert("title".to_owned(), "a b/c".to_owned());
        vars.insert("tag".to_owned(), "x".to_owned());
        let uri = t.expand(&vars);
        assert_eq!(uri, "note://a%20b%2Fc?tag=x");
        assert_eq!(t.match_uri(&uri).unwrap(), vars);
    }

    #[test]
    fn bad_templates_are_rejected() {
        assert!(UriTemplate::parse("x://{id").is_err());
        assert!(UriTemplate::parse("x://id}").is_err());
        assert!(UriTemplate::parse("x://{}").is_err());
        // A stray brace is refused wherever it is, as the routes macro does.
        assert!(UriTemplate::parse("x://a}/{id}").is_err());
    }
}
