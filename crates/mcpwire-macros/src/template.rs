//! URI templates checked at compile time: the variables of a resource
//! template, read with the same rules the runtime's `UriTemplate` parses by.

/// One variable of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    pub(crate) name: String,
    /// In a query expression (`{?a}`, `{&a}`): the URI may leave it out.
    pub(crate) optional: bool,
}

/// The variables of `source`, in order and without repeats; `Err` says why
/// the template does not parse.
pub(crate) fn variables(source: &str) -> Result<Vec<Variable>, String> {
    let mut out: Vec<Variable> = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err("it has a '}' without a matching '{'".to_owned());
        }
        let Some(len) = rest[open..].find('}') else {
            return Err("it has a '{' that is never closed".to_owned());
        };
        let body = &rest[open + 1..open + len];
        let (op, names) = match body.chars().next() {
            Some(c @ ('+' | '#' | '.' | '/' | ';' | '?' | '&')) => (Some(c), &body[1..]),
            _ => (None, body),
        };
        for raw in names.split(',') {
            let name = raw.trim_end_matches('*').split(':').next().unwrap_or("");
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '%'));
            if !valid {
                return Err(format!("`{{{body}}}` does not name a variable"));
            }
            if !out.iter().any(|v| v.name == name) {
                out.push(Variable {
                    name: name.to_owned(),
                    optional: matches!(op, Some('?' | '&')),
                });
            }
        }
        rest = &rest[open + len + 1..];
    }
    if rest.contains('}') {
        return Err("it has a '}' without a matching '{'".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Variable, variables};

    fn names(t: &str) -> Vec<String> {
        variables(t).unwrap().into_iter().map(|v| v.name).collect()
    }

    #[test]
    fn reads_every_operator() {
        assert_eq!(names("memo://readme"), Vec::<String>::new());
        assert_eq!(names("t://{id}/{+path}{/seg*}"), ["id", "path", "seg"]);
        assert_eq!(
            variables("s://x{?q,limit:3}").unwrap()[1],
            Variable {
                name: "limit".into(),
                optional: true
            }
        );
        assert_eq!(names("a://{x}/{x}"), ["x"]);
    }

    #[test]
    fn rejects_broken_templates() {
        assert!(variables("a://{x").is_err());
        assert!(variables("a://x}").is_err());
        assert!(variables("a://{}").is_err());
        assert!(variables("a://{a-b}").is_err());
    }
}
