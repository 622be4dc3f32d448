//! Which of the names the envelope knows a key or a string value is,
//! read by a serializer that accepts strings and nothing else.

use serde::ser::{self, Impossible, Serialize, Serializer};

use mcpwire_types::meta;

/// The members of a result the envelope knows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    ResultType,
    Meta,
    TtlMs,
    CacheScope,
    ServerInfo,
    Complete,
    Other,
}

impl Known {
    pub(super) fn of(s: &str) -> Known {
        match s {
            "resultType" => Known::ResultType,
            "_meta" => Known::Meta,
            "ttlMs" => Known::TtlMs,
            "cacheScope" => Known::CacheScope,
            meta::SERVER_INFO => Known::ServerInfo,
            "complete" => Known::Complete,
            _ => Known::Other,
        }
    }

    /// Which known name a key or a string value is.
    pub(super) fn probe<T: Serialize + ?Sized>(v: &T) -> Known {
        v.serialize(Probe).unwrap_or(Known::Other)
    }
}

/// Reads which [`Known`] name a string is, and nothing else.
struct Probe;

/// What [`Probe`] answers for anything that is not a string.
#[derive(Debug)]
struct NotAString;

impl std::fmt::Display for NotAString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a string")
    }
}

impl std::error::Error for NotAString {}

impl ser::Error for NotAString {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAString
    }
}

macro_rules! other {
    ($($name:ident($($ty:ty),*);)*) => {
        $(fn $name(self, $(_: $ty),*) -> Result<Known, NotAString> {
            Ok(Known::Other)
        })*
    };
}

macro_rules! impossible {
    ($($name:ident($($ty:ty),*) -> $out:ty;)*) => {
        $(fn $name(self, $(_: $ty),*) -> Result<$out, NotAString> {
            Err(NotAString)
        })*
    };
}

impl Serializer for Probe {
    type Ok = Known;
    type Error = NotAString;
    type SerializeSeq = Impossible<Known, NotAString>;
    type SerializeTuple = Impossible<Known, NotAString>;
    type SerializeTupleStruct = Impossible<Known, NotAString>;
    type SerializeTupleVariant = Impossible<Known, NotAString>;
    type SerializeMap = Impossible<Known, NotAString>;
    type SerializeStruct = Impossible<Known, NotAString>;
    type SerializeStructVariant = Impossible<Known, NotAString>;

    fn serialize_str(self, v: &str) -> Result<Known, NotAString> {
        Ok(Known::of(v))
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Known, NotAString> {
        Ok(Known::of(variant))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Known, NotAString> {
        v.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Known, NotAString> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Known, NotAString> {
        Ok(Known::Other)
    }

    other! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
    }

    impossible! {
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}
