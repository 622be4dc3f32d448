//! A ticket number as callers send it: a JSON integer or a string of digits.
//!
//! Many clients pass ids as strings (`{"ticket_id": "42"}`), others as
//! numbers (`{"ticket_id": 42}`); the support desk takes both, says so in
//! its input schemas, and refuses anything else with one clear sentence.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// The sentence every refused ticket number starts with.
const MUST: &str = "ticket_id must be a number or a string of digits";

/// A ticket number: 0 or more, from a JSON integer (`42`, or `42.0`, which
/// JSON Schema also counts as an integer) or a string of ASCII digits
/// (`"42"`).
///
/// ```
/// use mcpwire_demos::support_desk::TicketId;
/// let a: TicketId = serde_json::from_str("42").unwrap();
/// let b: TicketId = serde_json::from_str("\"42\"").unwrap();
/// assert_eq!((a.get(), b.get()), (42, 42));
/// assert!(serde_json::from_str::<TicketId>("\"abc\"").is_err());
/// assert_eq!("7".parse::<TicketId>().unwrap().get(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TicketId(i64);

impl TicketId {
    /// The ticket number, as the store keys tickets.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl From<TicketId> for i64 {
    fn from(id: TicketId) -> i64 {
        id.0
    }
}

/// Why a value is not a ticket number; its text says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{MUST} (0 or more, e.g. 42 or \"42\"), not {got}")]
pub struct InvalidTicketId {
    /// The refused value, as it appeared.
    got: String,
}

impl InvalidTicketId {
    fn new(got: impl fmt::Display) -> Self {
        Self {
            got: got.to_string(),
        }
    }
}

impl FromStr for TicketId {
    type Err = InvalidTicketId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidTicketId::new(format_args!("{s:?}")));
        }
        // Only digits: the one way to fail is a number past i64.
        s.parse()
            .map(TicketId)
            .map_err(|_| InvalidTicketId::new(format_args!("{s:?} (too large)")))
    }
}

impl TryFrom<i64> for TicketId {
    type Error = InvalidTicketId;

    fn try_from(n: i64) -> Result<Self, Self::Error> {
        if n < 0 {
            Err(InvalidTicketId::new(n))
        } else {
            Ok(TicketId(n))
        }
    }
}

impl<'de> Deserialize<'de> for TicketId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TicketIdVisitor)
    }
}

struct TicketIdVisitor;

fn refuse<E: de::Error>(e: InvalidTicketId) -> E {
    E::custom(e)
}

impl<'de> Visitor<'de> for TicketIdVisitor {
    type Value = TicketId;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ticket number: an integer or a string of digits")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<TicketId, E> {
        TicketId::try_from(n).map_err(refuse)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<TicketId, E> {
        i64::try_from(n)
            .map(TicketId)
            .map_err(|_| refuse(InvalidTicketId::new(format_args!("{n} (too large)"))))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<TicketId, E> {
        // 42.0 is an integer to JSON Schema, so the schema admits it; the
        // bounds are exact powers of two, so the cast cannot wrap.
        if n.fract() == 0.0 && (0.0..9_223_372_036_854_775_808.0).contains(&n) {
            Ok(TicketId(n as i64))
        } else {
            Err(refuse(InvalidTicketId::new(n)))
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<TicketId, E> {
        s.parse().map_err(refuse)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<TicketId, E> {
        Err(refuse(InvalidTicketId::new(b)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TicketId, E> {
        Err(refuse(InvalidTicketId::new("null")))
    }

    fn visit_none<E: de::Error>(self) -> Result<TicketId, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<TicketId, A::Error> {
        Err(refuse(InvalidTicketId::new("an array")))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<TicketId, A::Error> {
        Err(refuse(InvalidTicketId::new("an object")))
    }
}

/// `anyOf` a non-negative integer or a string of digits, each branch one
/// plain `type`, which every JSON Schema validator and client form builder
/// understands (unlike a `type` list mixed with `pattern`).
impl JsonSchema for TicketId {
    fn schema_name() -> Cow<'static, str> {
        "TicketId".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+$"}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse(v: Value) -> Result<i64, String> {
        TicketId::deserialize(v)
            .map(TicketId::get)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn takes_integers_and_digit_strings() {
        for (v, n) in [
            (json!(42), 42),
            (json!("42"), 42),
            (json!("0"), 0),
            (json!(42.0), 42),
            (json!("007"), 7),
            (json!(i64::MAX), i64::MAX),
        ] {
            assert_eq!(parse(v.clone()), Ok(n), "{v}");
        }
    }

    #[test]
    fn refuses_the_rest_with_one_clear_sentence() {
        for (v, got) in [
            (json!("abc"), "not \"abc\""),
            (json!(-1), "not -1"),
            (json!("-1"), "not \"-1\""),
            (json!(" 42"), "not \" 42\""),
            (json!(""), "not \"\""),
            (json!(4.5), "not 4.5"),
            (json!(true), "not true"),
            (json!(null), "not null"),
            (json!([42]), "not an array"),
            (json!({"id": 42}), "not an object"),
            (json!(u64::MAX), "too large"),
            (json!("99999999999999999999"), "too large"),
        ] {
            let e = parse(v.clone()).unwrap_err();
            assert!(e.starts_with(MUST), "{v}: {e}");
            assert!(e.contains(got), "{v}: {e} should say {got}");
        }
    }
}
