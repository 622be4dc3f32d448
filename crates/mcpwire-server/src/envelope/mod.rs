//! The era envelope: what a 2026-07-28 result carries besides its own
//! fields (`resultType`, `_meta` with the server's info, and cache hints on
//! cacheable results), written in the same pass that serializes the
//! result.
//!
//! A result is any [`Serialize`] value whose JSON is an object: a typed
//! result or a [`Value`]. [`Enveloped`] serializes it through a serializer
//! that passes every member on, notes which of the envelope's members the
//! result set itself, merges the server's info into a `_meta` the result
//! has, and adds what is missing before the closing brace. What a result
//! sets itself wins; nothing is built or copied to add the rest.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use mcpwire_rpc::engine::Reply;
use mcpwire_types::{CacheHint, CallToolResult, DiscoverResult, Era, meta};

use super::router::Route;
use probe::Known;

mod probe;
use super::session::Connection;

/// What a route answered, before its era's envelope: kept typed, or
/// shared, until the response is written.
pub(crate) enum Body {
    Value(Value),
    /// A list page from the cache, written without copying it.
    Shared(Arc<Value>),
    Tool(CallToolResult),
    Discover(Box<DiscoverResult>),
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Body::Value(v) => v.serialize(s),
            Body::Shared(v) => v.serialize(s),
            Body::Tool(r) => r.serialize(s),
            Body::Discover(r) => r.serialize(s),
        }
    }
}

impl Connection {
    /// The reply to a request served down `route` in `era`: the body as
    /// it is for a session, in the envelope for a stateless request.
    pub(crate) fn reply(&self, body: Body, era: Era, route: &Route) -> Reply {
        match (era, body) {
            (Era::Session, Body::Value(v)) => Reply::from(v),
            (Era::Session, body) => Reply::typed(body),
            (Era::Stateless, body) => Reply::typed(Enveloped {
                body,
                info: self.server.clone(),
                cache: route
                    .cacheable
                    .then(|| self.server.cache_hint_of(route.method)),
            }),
        }
    }
}

/// A result with the members every 2026-07-28 result carries.
pub(crate) struct Enveloped<T> {
    pub(crate) body: T,
    /// The server's `Implementation`, as `_meta.serverInfo` carries it.
    pub(crate) info: crate::Server,
    /// The hint of a cacheable result.
    pub(crate) cache: Option<CacheHint>,
}

impl<T: Serialize> Serialize for Enveloped<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(Top {
            inner: s,
            stamp: Stamp {
                info: &self.info.inner.info_json,
                info_meta: &self.info.inner.info_meta,
                cache: self.cache,
            },
        })
    }
}

#[derive(Clone, Copy)]
struct Stamp<'a> {
    /// The server's info, merged into a `_meta` the result has.
    info: &'a RawValue,
    /// The whole `_meta` of a result that has none.
    info_meta: &'a RawValue,
    cache: Option<CacheHint>,
}

/// Which members of the object the envelope saw.
#[derive(Default)]
struct Seen {
    result_type: bool,
    complete: bool,
    meta: bool,
    ttl: bool,
    scope: bool,
}

impl Seen {
    /// Notes a member; says whether it is `_meta`.
    fn note<T: Serialize + ?Sized>(&mut self, key: Known, value: &T) -> bool {
        match key {
            Known::ResultType => {
                self.result_type = true;
                self.complete = Known::probe(value) == Known::Complete;
            }
            Known::Meta => self.meta = true,
            Known::TtlMs => self.ttl = true,
            Known::CacheScope => self.scope = true,
            _ => {}
        }
        key == Known::Meta
    }
}

/// The top of a result: an object gets the envelope; anything else is
/// written as it is.
struct Top<'a, S> {
    inner: S,
    stamp: Stamp<'a>,
}

/// `_meta`'s value: an object gets the server's info; anything else is
/// written as it is.
struct MetaValue<'a, T: ?Sized> {
    value: &'a T,
    info: &'a RawValue,
}

impl<T: Serialize + ?Sized> Serialize for MetaValue<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(MetaSer {
            inner: s,
            info: self.info,
        })
    }
}

struct TopMap<'a, M> {
    inner: M,
    stamp: Stamp<'a>,
    seen: Seen,
    /// The key last written by `serialize_key`.
    key: Known,
}

struct TopStruct<'a, M> {
    inner: M,
    stamp: Stamp<'a>,
    seen: Seen,
}

/// Where the envelope adds a member: an object written as a map or as a
/// struct.
trait AddMember {
    type Error;
    fn add<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error>;
}

struct AsMap<'m, M>(&'m mut M);

impl<M: SerializeMap> AddMember for AsMap<'_, M> {
    type Error = M::Error;
    fn add<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), M::Error> {
        self.0.serialize_entry(key, value)
    }
}

struct AsStruct<'m, M>(&'m mut M);

impl<M: SerializeStruct> AddMember for AsStruct<'_, M> {
    type Error = M::Error;
    fn add<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), M::Error> {
        self.0.serialize_field(key, value)
    }
}

impl Stamp<'_> {
    /// Adds the members the result did not set.
    fn finish<A: AddMember>(&self, seen: &Seen, out: &mut A) -> Result<(), A::Error> {
        let complete = if seen.result_type {
            seen.complete
        } else {
            out.add("resultType", "complete")?;
            true
        };
        if !seen.meta {
            out.add("_meta", self.info_meta)?;
        }
        if let (Some(hint), true) = (self.cache, complete) {
            if !seen.ttl {
                out.add("ttlMs", &hint.ttl_ms)?;
            }
            if !seen.scope {
                out.add("cacheScope", &hint.scope)?;
            }
        }
        Ok(())
    }
}

impl<M: SerializeMap> SerializeMap for TopMap<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), M::Error> {
        self.key = Known::probe(key);
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), M::Error> {
        if self.seen.note(self.key, value) {
            let info = self.stamp.info;
            self.inner.serialize_value(&MetaValue { value, info })
        } else {
            self.inner.serialize_value(value)
        }
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), M::Error> {
        if self.seen.note(Known::probe(key), value) {
            let info = self.stamp.info;
            self.inner.serialize_entry(key, &MetaValue { value, info })
        } else {
            self.inner.serialize_entry(key, value)
        }
    }

    fn end(mut self) -> Result<M::Ok, M::Error> {
        self.stamp.finish(&self.seen, &mut AsMap(&mut self.inner))?;
        self.inner.end()
    }
}

impl<M: SerializeStruct> SerializeStruct for TopStruct<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        if self.seen.note(Known::of(key), value) {
            let info = self.stamp.info;
            self.inner.serialize_field(key, &MetaValue { value, info })
        } else {
            self.inner.serialize_field(key, value)
        }
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), M::Error> {
        self.inner.skip_field(key)
    }

    fn end(mut self) -> Result<M::Ok, M::Error> {
        self.stamp
            .finish(&self.seen, &mut AsStruct(&mut self.inner))?;
        self.inner.end()
    }
}

/// `_meta` as an object: every member passes, and the server's info is
/// added unless the result set it.
struct MetaSer<'a, S> {
    inner: S,
    info: &'a RawValue,
}

struct MetaMap<'a, M> {
    inner: M,
    info: &'a RawValue,
    has_info: bool,
}

impl<M: SerializeMap> SerializeMap for MetaMap<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), M::Error> {
        self.has_info |= Known::probe(key) == Known::ServerInfo;
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), M::Error> {
        self.inner.serialize_value(value)
    }

    fn end(mut self) -> Result<M::Ok, M::Error> {
        if !self.has_info {
            self.inner.serialize_entry(meta::SERVER_INFO, self.info)?;
        }
        self.inner.end()
    }
}

impl<M: SerializeStruct> SerializeStruct for MetaMap<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        self.has_info |= key == meta::SERVER_INFO;
        self.inner.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), M::Error> {
        self.inner.skip_field(key)
    }

    fn end(mut self) -> Result<M::Ok, M::Error> {
        if !self.has_info {
            self.inner.serialize_field(meta::SERVER_INFO, self.info)?;
        }
        self.inner.end()
    }
}

/// Forwards every kind of value but those named, to `self.inner`.
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        $(fn $name(self, $($arg: $ty),*) -> Result<$out, S::Error> {
            self.inner.$name($($arg),*)
        })*
    };
}

/// What both the top serializer and `_meta`'s pass through unchanged.
macro_rules! passthrough {
    () => {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = S::SerializeSeq;
        type SerializeTuple = S::SerializeTuple;
        type SerializeTupleStruct = S::SerializeTupleStruct;
        type SerializeTupleVariant = S::SerializeTupleVariant;
        type SerializeStructVariant = S::SerializeStructVariant;

        forward! {
            serialize_bool(v: bool) -> S::Ok;
            serialize_i8(v: i8) -> S::Ok;
            serialize_i16(v: i16) -> S::Ok;
            serialize_i32(v: i32) -> S::Ok;
            serialize_i64(v: i64) -> S::Ok;
            serialize_i128(v: i128) -> S::Ok;
            serialize_u8(v: u8) -> S::Ok;
            serialize_u16(v: u16) -> S::Ok;
            serialize_u32(v: u32) -> S::Ok;
            serialize_u64(v: u64) -> S::Ok;
            serialize_u128(v: u128) -> S::Ok;
            serialize_f32(v: f32) -> S::Ok;
            serialize_f64(v: f64) -> S::Ok;
            serialize_char(v: char) -> S::Ok;
            serialize_str(v: &str) -> S::Ok;
            serialize_bytes(v: &[u8]) -> S::Ok;
            serialize_none() -> S::Ok;
            serialize_unit() -> S::Ok;
            serialize_unit_struct(name: &'static str) -> S::Ok;
            serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
            serialize_seq(len: Option<usize>) -> S::SerializeSeq;
            serialize_tuple(len: usize) -> S::SerializeTuple;
            serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
            serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeTupleVariant;
            serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeStructVariant;
        }

        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<S::Ok, S::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            value: &T,
        ) -> Result<S::Ok, S::Error> {
            self.inner.serialize_newtype_variant(name, index, variant, value)
        }
    };
}

/// Room for the members the envelope may add: a length of 0 would let a
/// serializer close the object at once.
const ADDED: usize = 4;

impl<'a, S: Serializer> Serializer for Top<'a, S> {
    type SerializeMap = TopMap<'a, S::SerializeMap>;
    type SerializeStruct = TopStruct<'a, S::SerializeStruct>;
    passthrough!();

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(TopMap {
            inner: self.inner.serialize_map(len.map(|n| n + ADDED))?,
            stamp: self.stamp,
            seen: Seen::default(),
            key: Known::Other,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        Ok(TopStruct {
            inner: self.inner.serialize_struct(name, len + ADDED)?,
            stamp: self.stamp,
            seen: Seen::default(),
        })
    }
}

impl<'a, S: Serializer> Serializer for MetaSer<'a, S> {
    type SerializeMap = MetaMap<'a, S::SerializeMap>;
    type SerializeStruct = MetaMap<'a, S::SerializeStruct>;
    passthrough!();

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(MetaMap {
            inner: self.inner.serialize_map(len.map(|n| n + 1))?,
            info: self.info,
            has_info: false,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        Ok(MetaMap {
            inner: self.inner.serialize_struct(name, len + 1)?,
            info: self.info,
            has_info: false,
        })
    }
}

#[cfg(test)]
mod tests;
