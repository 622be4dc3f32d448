//! Matching a URI against a parsed template in one left-to-right pass that
//! never backtracks: each expression's value ends at a single position
//! found by a forward (or, for reserved values, backward) search, so the
//! work is linear in the URI's length however hostile the URI is.

use std::collections::HashMap;

use super::{Part, decode};

/// The variables of `uri` under `parts`, or `None` when it does not match,
/// and the work done: the bytes of URI and template examined.
///
/// The work is at most `(3·E + V + 1) · (n + t)` for a URI of `n` bytes, a
/// template of `t` bytes, `E` expressions and `V` variables: each
/// expression scans its run of allowed characters once, searches one
/// window of the URI for what follows it, and decodes its value once; each
/// query pair is compared with the expression's names once.
pub(super) fn match_parts(parts: &[Part], uri: &str) -> (Option<HashMap<String, String>>, usize) {
    let mut m = Matcher { uri, work: 0 };
    let vars = m.run(parts);
    (vars, m.work)
}

/// One match in progress.
struct Matcher<'a> {
    uri: &'a str,
    /// Bytes examined so far; every step below adds what it looks at.
    work: usize,
}

/// The character an operator's expansion starts with, which also marks
/// where the value before it ends.
fn lead(op: Option<char>) -> Option<&'static str> {
    match op {
        Some('#') => Some("#"),
        Some('.') => Some("."),
        Some('/') => Some("/"),
        Some('?') => Some("?"),
        Some('&') => Some("&"),
        _ => None,
    }
}

/// The characters a value may span for an operator.
fn allowed(op: Option<char>, c: char) -> bool {
    match op {
        Some('+' | '#') => true,
        Some('?' | '&') => c != '&' && c != '#',
        Some('/') => c != '?' && c != '#',
        _ => c != '/' && c != '?' && c != '#' && c != '&' && c != ',',
    }
}

impl Matcher<'_> {
    fn run(&mut self, parts: &[Part]) -> Option<HashMap<String, String>> {
        let uri = self.uri;
        let mut vars = HashMap::new();
        let mut pos = 0;
        for (i, part) in parts.iter().enumerate() {
            match part {
                Part::Literal(l) => {
                    self.work += l.len();
                    if !uri[pos..].starts_with(l.as_str()) {
                        return None;
                    }
                    pos += l.len();
                }
                Part::Expr {
                    op: op @ Some('?' | '&'),
                    vars: names,
                } => {
                    let lead = if *op == Some('?') { "?" } else { "&" };
                    pos = self.query(lead, names, pos, &mut vars);
                }
                Part::Expr { op, vars: names } => {
                    let start = match lead(*op) {
                        Some(l) => {
                            self.work += l.len();
                            if !uri[pos..].starts_with(l) {
                                return None;
                            }
                            pos + l.len()
                        }
                        None => pos,
                    };
                    let end = self.value_end(*op, start, parts.get(i + 1))?;
                    let value = &uri[start..end];
                    self.work += value.len();
                    if let [name] = names.as_slice() {
                        vars.insert(name.clone(), decode(value));
                    } else {
                        for (n, v) in names.iter().zip(value.split(',')) {
                            vars.insert(n.clone(), decode(v));
                        }
                    }
                    pos = end;
                }
            }
        }
        (pos == uri.len()).then_some(vars)
    }

    /// Where the value of an expression with operator `op` that starts at
    /// `start` ends, given the part that follows it; `None` when no
    /// non-empty value fits.
    fn value_end(&mut self, op: Option<char>, start: usize, next: Option<&Part>) -> Option<usize> {
        let uri = self.uri;
        let reserved = matches!(op, Some('+' | '#'));
        // A value is never empty.
        let min = start + uri[start..].chars().next()?.len_utf8();
        // The value cannot reach past the first character it may not hold.
        let run_end = if reserved {
            uri.len()
        } else {
            let body = &uri[start..];
            let run = body.find(|c| !allowed(op, c)).unwrap_or(body.len());
            self.work += run + 1;
            start + run
        };
        if run_end < min {
            return None;
        }
        let (anchor, optional) = match next {
            Some(Part::Literal(l)) => (l.as_str(), false),
            Some(Part::Expr { op: next_op, .. }) => match lead(*next_op) {
                Some(l) => (l, matches!(next_op, Some('?' | '&'))),
                // Nothing marks where the next value starts: take the run.
                None => return Some(run_end),
            },
            None => return Some(run_end),
        };
        let found = if reserved {
            // The last occurrence: a reserved value is as long as it can be.
            let hay = &uri[min..];
            self.work += hay.len() + anchor.len();
            hay.rfind(anchor).map(|i| min + i)
        } else {
            // The first occurrence that starts within the run.
            let mut limit = (run_end + anchor.len()).min(uri.len());
            while !uri.is_char_boundary(limit) {
                limit += 1;
            }
            let hay = &uri[min..limit];
            self.work += hay.len() + anchor.len();
            hay.find(anchor).map(|i| min + i).filter(|&p| p <= run_end)
        };
        match found {
            Some(p) => Some(p),
            // An absent query expression: the value takes its whole run.
            None if optional => Some(run_end),
            None => None,
        }
    }

    /// Matches an optional query expression at `pos`, returning where it
    /// ends (`pos` itself when the URI has none there).
    fn query(
        &mut self,
        lead: &str,
        names: &[String],
        pos: usize,
        vars: &mut HashMap<String, String>,
    ) -> usize {
        self.work += lead.len();
        let Some(body) = self.uri[pos..].strip_prefix(lead) else {
            // Query variables are optional.
            return pos;
        };
        let end = body.find('#').unwrap_or(body.len());
        self.work += end + 1;
        for pair in body[..end].split('&') {
            self.work += pair.len() + names.len();
            if let Some((k, v)) = pair.split_once('=')
                && names.iter().any(|n| n == k)
            {
                self.work += v.len();
                vars.insert(k.to_owned(), decode(v));
            }
        }
        pos + lead.len() + end
    }
}

#[cfg(test)]
mod tests {
    use super::super::UriTemplate;
    use super::*;

    /// The match and the work it took, checked against the documented
    /// bound `(3·E + V + 1) · (n + t)`.
    fn counted(template: &str, uri: &str) -> (Option<HashMap<String, String>>, usize) {
        let t = UriTemplate::parse(template).unwrap();
        let (vars, work) = match_parts(&t.parts, uri);
        let exprs = t
            .parts
            .iter()
            .filter(|p| matches!(p, Part::Expr { .. }))
            .count();
        let bound = (3 * exprs + t.variables().len() + 1) * (uri.len() + template.len());
        assert!(
            work <= bound,
            "{template} on {} bytes: work {work} > bound {bound}",
            uri.len()
        );
        (vars, work)
    }

    fn get(vars: &Option<HashMap<String, String>>, name: &str) -> String {
        vars.as_ref().expect("matches")[name].clone()
    }

    #[test]
    fn a_long_simple_value_costs_linear_work() {
        // The old matcher tried every prefix, decoding each: quadratic.
        for n in [80_000, 1 << 20] {
            let uri = format!("ticket://{}", "7".repeat(n));
            let (vars, work) = counted("ticket://{ticket_id}", &uri);
            assert_eq!(get(&vars, "ticket_id").len(), n);
            assert!(work <= 3 * uri.len(), "{work}");
            // The same value with a bad tail fails with as little work.
            let (vars, work) = counted("ticket://{ticket_id}", &format!("{uri}/x"));
            assert!(vars.is_none());
            assert!(work <= 3 * uri.len(), "{work}");
        }
    }

    #[test]
    fn repeated_literals_cost_linear_work() {
        let n = 1 << 20;
        // Each expression takes one candidate end, so a long run of the
        // separator cannot multiply the attempts.
        let dashes = format!("x://{}", "a-".repeat(n / 2));
        let (vars, _) = counted("x://{a}-{b}-{c}-{d}", &dashes);
        assert_eq!(get(&vars, "a"), "a");
        assert_eq!(get(&vars, "c"), "a");
        assert_eq!(get(&vars, "d").len(), n - 6);
        let (vars, _) = counted("x://{a}-{b}-{c}-end", &format!("{dashes}!"));
        assert!(vars.is_none());
        let slashes = format!("f://{}", "/".repeat(n));
        let (vars, _) = counted("f://{+a}/{+b}/{+c}", &slashes);
        assert!(vars.is_none(), "{vars:?}");
        let (vars, _) = counted("f://{+a}/{+b}/{+c}", &format!("{slashes}z"));
        assert!(vars.is_none(), "the last '/' leaves b nothing: {vars:?}");
        let (vars, _) = counted("f://{+a}/{b}", &format!("{slashes}z"));
        assert_eq!(
            (get(&vars, "a").len(), get(&vars, "b")),
            (n - 1, "z".into())
        );
        let dots = format!("d://x{}", ".y".repeat(n / 2));
        let (vars, _) = counted("d://x{.a}{.b}{.c}", &dots);
        assert_eq!(get(&vars, "c").len(), n - 5);
        let (vars, _) = counted("d://x{/a}{/b}{?q}", &format!("d://x{}", "/a".repeat(n / 2)));
        assert_eq!(get(&vars, "b").len(), n - 3);
        let (vars, _) = counted("d://x{/a}{/b}{?q}", &format!("d://x{}", "/?".repeat(n / 2)));
        assert!(vars.is_none());
        let amps = format!("s://i?{}", "q=1&".repeat(n / 4));
        let (vars, _) = counted("s://i{?q,r}{&s}", &amps);
        assert_eq!(get(&vars, "q"), "1");
    }

    #[test]
    fn values_end_at_the_first_occurrence_or_the_last_when_reserved() {
        let (v, _) = counted("x://{a}-{b}", "x://p-q-r");
        assert_eq!((get(&v, "a"), get(&v, "b")), ("p".into(), "q-r".into()));
        let (v, _) = counted("x://{+a}-{b}", "x://p-q-r");
        assert_eq!((get(&v, "a"), get(&v, "b")), ("p-q".into(), "r".into()));
        let (v, _) = counted("x://{a}-x{b}", "x://p-q-xr");
        assert_eq!((get(&v, "a"), get(&v, "b")), ("p-q".into(), "r".into()));
        let (v, _) = counted("f://{name}{.ext}", "f://file.tar.gz");
        assert_eq!(
            (get(&v, "name"), get(&v, "ext")),
            ("file".into(), "tar.gz".into())
        );
        let (v, _) = counted("f:///{+path}{?v}", "f:///a?b?v=2");
        assert_eq!((get(&v, "path"), get(&v, "v")), ("a?b".into(), "2".into()));
        let (v, _) = counted("f:///{+path}{?v}", "f:///a/b");
        assert_eq!(get(&v, "path"), "a/b");
        let (v, _) = counted("x://{a}{+b}", "x://p/q");
        assert_eq!((get(&v, "a"), get(&v, "b")), ("p".into(), "/q".into()));
        let (v, _) = counted("x://{+a}/meta", "x://p/meta/meta");
        assert_eq!(get(&v, "a"), "p/meta");
        let (v, _) = counted("x://{a}{#f}", "x://p#frag/x");
        assert_eq!((get(&v, "a"), get(&v, "f")), ("p".into(), "frag/x".into()));
    }

    #[test]
    fn values_are_never_empty_and_respect_their_characters() {
        assert!(counted("x://{a}-{b}", "x://-q").0.is_none());
        assert!(counted("x://{a}-{b}", "x://p-").0.is_none());
        assert!(counted("x://{a}-{b}", "x://p/q-r").0.is_none());
        assert!(counted("x://{+a}", "x://").0.is_none());
        assert!(counted("x://{a}/", "x://p").0.is_none());
        assert!(counted("x://{a}", "y://p").0.is_none());
    }

    #[test]
    fn multibyte_characters_split_cleanly() {
        let (v, _) = counted("x://{a}é{b}", "x://ééé");
        assert_eq!((get(&v, "a"), get(&v, "b")), ("é".into(), "é".into()));
        let (v, _) = counted("x://{a}/{b}", "x://日本/語");
        assert_eq!((get(&v, "a"), get(&v, "b")), ("日本".into(), "語".into()));
        let (v, _) = counted("x://{+a}é", "x://aéé");
        assert_eq!(get(&v, "a"), "aé");
    }

    #[test]
    fn expanded_values_match_back() {
        let templates = [
            "note://{title}{?tag}",
            "db://{schema}/{table}",
            "file:///{+dir}/{name}{.ext}",
            "repo://{owner}/{name}{/path}{?ref,depth}{#frag}",
        ];
        // Values avoid the characters the templates use as separators, so
        // each expansion has one reading.
        let alphabet: Vec<char> = "abcXYZ09 %日~_-".chars().collect();
        let mut seed: u64 = 0x5eed;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for t in templates {
            let template = UriTemplate::parse(t).unwrap();
            for _ in 0..200 {
                let vars: HashMap<String, String> = template
                    .variables()
                    .into_iter()
                    .map(|name| {
                        let len = 1 + next() % 6;
                        let v = (0..len)
                            .map(|_| alphabet[next() % alphabet.len()])
                            .collect();
                        (name.to_owned(), v)
                    })
                    .collect();
                let uri = template.expand(&vars);
                let (found, _) = counted(t, &uri);
                assert_eq!(found.as_ref(), Some(&vars), "{t} on {uri}");
            }
        }
    }
}
