//! What the code `#[tool]`, `#[prompt]`, `#[resource]` and `#[routes]`
//! generate names: the compile-time dispatch that tells an extractor from
//! an argument, and the input schema assembled from the arguments. Not a
//! public API: it may change in any release.
//!
//! A proc macro sees only a parameter's type as written, so it cannot ask
//! whether the type implements [`FromContext`]. The generated code asks the
//! compiler instead: `(&&Probe::<P, A>::new()).kind()` finds
//! [`ExtractorParam::kind`] (on `&Probe`) when `P: FromContext`, else
//! [`ArgumentParam::kind`] (on `Probe`) when `P` deserializes and `A`, a
//! one-field struct around `P`, has a schema, else the inherent `kind`,
//! whose `P: Parameter` bound no type meets and whose message says what is
//! wrong. The answer is a zero-sized [`Param`], made once when the route is
//! built: per call, an argument costs what it did before (one pass of
//! `serde` over the arguments) and an extractor one `from_context`.

use std::marker::PhantomData;

use mcpwire_rpc::Error;
use mcpwire_types::{CallToolResult, PromptArgument};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, Visitor};
use serde_json::{Map, Value};

use super::schema::schema_for;
use super::{Context, FromContext};

/// Asks the compiler what kind of parameter `P` is; `A` is the one-field
/// struct that describes `P` as an argument.
pub struct Probe<P, A>(PhantomData<fn() -> (P, A)>);

impl<P, A> Probe<P, A> {
    /// The probe of one parameter.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Probe(PhantomData)
    }

    /// Found last: `P` is neither an extractor nor an argument, and the
    /// bound says so.
    pub fn kind(self) -> Invalid<P>
    where
        P: Parameter,
    {
        Invalid(PhantomData)
    }
}

impl<P, A> Clone for Probe<P, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, A> Copy for Probe<P, A> {}

/// The type of a handler parameter is neither an extractor nor an
/// argument. No type implements it: it exists for its message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither an extractor (FromContext) nor an argument (Deserialize + JsonSchema)",
    label = "neither taken from the request nor supplied by the client",
    note = "derive `serde::Deserialize` and `schemars::JsonSchema` for a value the client supplies, or implement `mcpwire::server::FromContext` for one taken from the request"
)]
pub trait Parameter {}

/// Found first: `P` is an extractor.
pub trait ExtractorParam {
    /// [`Extractor<P>`].
    type Kind;
    /// The parameter's kind.
    fn kind(&self) -> Self::Kind;
}

impl<P: FromContext, A> ExtractorParam for &Probe<P, A> {
    type Kind = Extractor<P>;
    fn kind(&self) -> Extractor<P> {
        Extractor(PhantomData)
    }
}

/// Found second: `P` is an argument.
pub trait ArgumentParam {
    /// [`Argument<P, A>`].
    type Kind;
    /// The parameter's kind.
    fn kind(&self) -> Self::Kind;
}

impl<P: DeserializeOwned + Send, A: JsonSchema> ArgumentParam for Probe<P, A> {
    type Kind = Argument<P, A>;
    fn kind(&self) -> Argument<P, A> {
        Argument(PhantomData)
    }
}

/// What a parameter is, decided at compile time.
pub trait Param: Copy + Send + Sync {
    /// The parameter's type.
    type Value;
    /// Its field in the struct the arguments deserialize into: the value
    /// itself for an argument, [`Skip`] for an extractor.
    type Field: DeserializeOwned + Send;
    /// Adds the parameter to the input schema, if it is an argument.
    fn describe(self, schema: &mut InputSchema);
    /// The value, from its field and the request.
    fn take(self, field: Self::Field, cx: &Context) -> Result<Self::Value, Error>;
}

/// An argument the client supplies.
pub struct Argument<P, A>(PhantomData<fn() -> (P, A)>);

impl<P, A> Argument<P, A> {
    /// An argument whose attributes (`#[serde]`, `#[schemars]`, `#[arg]`)
    /// already say it is one.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Argument(PhantomData)
    }
}

impl<P, A> Clone for Argument<P, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, A> Copy for Argument<P, A> {}

impl<P: DeserializeOwned + Send, A: JsonSchema> Param for Argument<P, A> {
    type Value = P;
    type Field = P;

    fn describe(self, schema: &mut InputSchema) {
        schema.add::<A>();
    }

    #[inline(always)]
    fn take(self, field: P, _: &Context) -> Result<P, Error> {
        Ok(field)
    }
}

/// A value taken from the request.
pub struct Extractor<P>(PhantomData<fn() -> P>);

impl<P> Clone for Extractor<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Extractor<P> {}

impl<P: FromContext> Param for Extractor<P> {
    type Value = P;
    type Field = Skip;

    fn describe(self, _: &mut InputSchema) {}

    #[inline]
    fn take(self, _: Skip, cx: &Context) -> Result<P, Error> {
        P::from_context(cx)
    }
}

/// A parameter that is neither; only a failed build ever names it.
pub struct Invalid<P>(PhantomData<fn() -> P>);

impl<P> Clone for Invalid<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Invalid<P> {}

impl<P> Param for Invalid<P> {
    type Value = P;
    type Field = Skip;

    fn describe(self, _: &mut InputSchema) {}

    fn take(self, _: Skip, _: &Context) -> Result<P, Error> {
        Err(Error::internal(
            "a parameter that is neither extractor nor argument",
        ))
    }
}

/// The field of an extractor in the arguments' struct: it deserializes
/// from nothing, and ignores a value a client sends under its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SkipVisitor;
        impl<'de> Visitor<'de> for SkipVisitor {
            type Value = Skip;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("anything")
            }
            fn visit_none<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skip, D::Error> {
                IgnoredAny::deserialize(d).map(|_| Skip)
            }
        }
        d.deserialize_option(SkipVisitor)
    }
}

/// A `#[resource]` parameter that is no variable of its URI template: it
/// must be an extractor.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is no extractor (FromContext), and its parameter is no variable of the URI template",
    label = "neither a URI template variable nor taken from the request",
    note = "a #[resource] parameter receives the URI template variable of its name, or else is taken from the request: add the variable to the template, or use an extractor"
)]
pub trait ResourceExtractor: Sized {
    /// Takes the value from the request.
    fn extract(cx: &Context) -> Result<Self, Error>;
}

impl<T: FromContext> ResourceExtractor for T {
    #[inline]
    fn extract(cx: &Context) -> Result<Self, Error> {
        T::from_context(cx)
    }
}

/// A parameter borrowed from the request: only the context itself.
#[diagnostic::on_unimplemented(
    message = "`&{Self}` cannot be a handler parameter: only the request context is lent, as `&Context`",
    label = "borrowed from the request",
    note = "arguments own their data, since they are parsed from the request (`String`, not `&str`); other extractors are taken by value"
)]
pub trait Borrowed {
    /// The borrowed value.
    fn borrow(cx: &Context) -> &Self;
}

impl Borrowed for Context {
    #[inline(always)]
    fn borrow(cx: &Context) -> &Context {
        cx
    }
}

/// The input schema of a route, assembled from its arguments' one-field
/// structs when the route is built: the object schema a struct of all the
/// arguments would have.
#[derive(Debug, Default)]
pub struct InputSchema {
    properties: Map<String, Value>,
    required: Vec<Value>,
    defs: Map<String, Value>,
    other: Map<String, Value>,
}

impl InputSchema {
    /// No arguments yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the properties of `A`'s schema.
    pub fn add<A: JsonSchema>(&mut self) {
        for (key, value) in schema_for::<A>() {
            match (key.as_str(), value) {
                ("properties", Value::Object(props)) => self.properties.extend(props),
                ("required", Value::Array(names)) => self.required.extend(names),
                ("$defs", Value::Object(defs)) => self.defs.extend(defs),
                ("type", _) => {}
                (_, value) => {
                    self.other.entry(key).or_insert(value);
                }
            }
        }
    }

    /// The schema.
    pub fn finish(self) -> Map<String, Value> {
        let mut schema = super::schema::object_schema();
        if !self.properties.is_empty() {
            schema.insert("properties".into(), Value::Object(self.properties));
        }
        if !self.required.is_empty() {
            schema.insert("required".into(), Value::Array(self.required));
        }
        schema.extend(self.other);
        if !self.defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(self.defs));
        }
        schema
    }
}

/// The prompt arguments an input schema describes, or `None` for none.
pub fn prompt_arguments(schema: &Map<String, Value>) -> Option<Vec<PromptArgument>> {
    let args = super::prompt::arguments_of(schema);
    (!args.is_empty()).then_some(args)
}

/// Deserializes a tool's arguments into `A`, the struct the witness names.
#[inline]
pub fn parse_tool_arguments<A: DeserializeOwned>(
    _: PhantomData<fn() -> A>,
    tool: &str,
    args: Map<String, Value>,
) -> Result<A, Box<CallToolResult>> {
    super::tool::parse_arguments::<A>(tool, args)
}

/// Deserializes a prompt's arguments into `A`, the struct the witness
/// names.
#[inline]
pub fn parse_prompt_arguments<A: DeserializeOwned>(
    _: PhantomData<fn() -> A>,
    args: std::collections::HashMap<String, String>,
) -> Result<A, Error> {
    super::prompt::parse_prompt_arguments::<A>(args)
}

#[cfg(test)]
#[allow(dead_code)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Whole {
        /// The text
        text: String,
        #[serde(default)]
        count: Option<u32>,
        #[serde(rename = "type")]
        kind: Vec<String>,
    }

    #[derive(schemars::JsonSchema)]
    struct Text {
        /// The text
        text: String,
    }

    #[derive(schemars::JsonSchema)]
    struct Count {
        #[serde(default)]
        count: Option<u32>,
    }

    #[derive(schemars::JsonSchema)]
    struct Kind {
        #[serde(rename = "type")]
        kind: Vec<String>,
    }

    #[test]
    fn assembles_the_schema_of_the_whole_struct() {
        let mut schema = InputSchema::new();
        schema.add::<Text>();
        schema.add::<Count>();
        schema.add::<Kind>();
        assert_eq!(
            Value::Object(schema.finish()),
            Value::Object(crate::input_schema_for::<Whole>())
        );
        assert_eq!(
            Value::Object(InputSchema::new().finish()),
            serde_json::json!({"type": "object"})
        );
    }

    #[test]
    fn skip_takes_nothing_and_ignores_what_it_is_given() {
        #[derive(serde::Deserialize)]
        struct Args {
            a: u8,
            _cx: Skip,
        }
        let a: Args = serde_json::from_value(serde_json::json!({"a": 1})).unwrap();
        assert_eq!(a.a, 1);
        let a: Args =
            serde_json::from_value(serde_json::json!({"a": 2, "_cx": {"x": [1]}})).unwrap();
        assert_eq!(a.a, 2);
    }
}
