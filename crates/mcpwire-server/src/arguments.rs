//! A request's `arguments` object as a serde deserializer: it fills a
//! struct or a map as the object itself would, and it also fills `()`, so
//! that a handler taking `()` means "no arguments" as an empty struct does.

use serde::de::{Deserializer, Visitor};
use serde_json::{Map, Value};

/// The `arguments` of a tool call or a prompt, ready to deserialize a
/// handler's argument type from.
///
/// Everything but `()` (and unit structs) is read from the object exactly as
/// `Value::Object` reads it. `()` accepts any object and ignores what it
/// holds, as a struct without fields ignores unknown fields.
pub(crate) struct Arguments(pub(crate) Map<String, Value>);

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
            Value::Object(self.0).$method($($arg,)* visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for Arguments {
    type Error = serde_json::Error;

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    forward! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }
}

#[cfg(test)]
mod tests {
    use super::Arguments;
    use serde::Deserialize;
    use serde_json::{Map, json};

    fn args(v: serde_json::Value) -> Arguments {
        match v {
            serde_json::Value::Object(m) => Arguments(m),
            _ => Arguments(Map::new()),
        }
    }

    #[test]
    fn unit_takes_any_object() {
        <()>::deserialize(args(json!({}))).expect("an empty object");
        <()>::deserialize(args(json!({"extra": 1}))).expect("extra fields are ignored");
    }

    #[test]
    fn structs_and_maps_read_as_the_object_would() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct A {
            x: u8,
            y: Option<String>,
        }
        let a = A::deserialize(args(json!({"x": 1}))).unwrap();
        assert_eq!(a, A { x: 1, y: None });
        let e = A::deserialize(args(json!({"x": "one"}))).unwrap_err();
        assert!(e.to_string().contains("invalid type"), "{e}");
        let m = std::collections::HashMap::<String, u8>::deserialize(args(json!({"a": 2})));
        assert_eq!(m.unwrap()["a"], 2);
    }
}
