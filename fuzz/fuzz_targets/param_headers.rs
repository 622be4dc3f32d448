//! The `Mcp-Param-*` / `Mcp-Name` value codec of 2026-07-28, both sides:
//! what the client writes (`=?base64?…?=` when needed) and what the server
//! reads back and checks against the call's arguments.
//!
//! Checks: any string encodes to a valid header value that the server
//! decodes to the same string; decoding any header bytes never panics;
//! and for a tool schema and arguments the fuzzer builds, whenever the
//! client accepts the schema and produces headers, the server's check of
//! those headers against the same arguments passes. The server's check of
//! arbitrary extra headers never panics.
#![no_main]

use arbitrary::{Arbitrary, Result, Unstructured};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use mcpwire::fuzz_api;
use mcpwire_fuzz::grammar::{Json, Text, value};
use serde_json::{Map, Value, json};

/// The declared type of an annotated parameter.
#[derive(Arbitrary, Debug)]
enum Ty {
    String,
    Integer,
    Boolean,
    NullableString,
    Number,
    None,
}

/// One parameter of the schema, maybe annotated, maybe with children.
#[derive(Debug)]
struct Param {
    key: String,
    header: Option<String>,
    ty: Ty,
    children: Vec<Param>,
}

impl<'a> Arbitrary<'a> for Param {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        param(u, 0)
    }
}

fn param(u: &mut Unstructured<'_>, depth: usize) -> Result<Param> {
    let key = Text::arbitrary(u)?.0;
    let header = if u.ratio(3, 4)? {
        Some(if u.ratio(1, 2)? {
            (*u.choose(&["Region", "Limit", "X", "Tenant-Id", "a.b"])?).to_owned()
        } else {
            Text::arbitrary(u)?.0
        })
    } else {
        None
    };
    let n = if depth < 2 { u.int_in_range(0..=2)? } else { 0 };
    Ok(Param {
        key,
        header,
        ty: Ty::arbitrary(u)?,
        children: (0..n).map(|_| param(u, depth + 1)).collect::<Result<_>>()?,
    })
}

fn schema_of(params: &[Param]) -> Map<String, Value> {
    let mut props = Map::new();
    for p in params {
        let mut s = Map::new();
        match p.ty {
            Ty::String => s.insert("type".into(), json!("string")),
            Ty::Integer => s.insert("type".into(), json!("integer")),
            Ty::Boolean => s.insert("type".into(), json!("boolean")),
            Ty::NullableString => s.insert("type".into(), json!(["string", "null"])),
            Ty::Number => s.insert("type".into(), json!("number")),
            Ty::None => None,
        };
        if let Some(h) = &p.header {
            s.insert("x-mcp-header".into(), json!(h));
        }
        if !p.children.is_empty() {
            s.insert("properties".into(), Value::Object(schema_of(&p.children)));
        }
        props.insert(p.key.clone(), Value::Object(s));
    }
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    root.insert("properties".into(), Value::Object(props));
    root
}

/// Arguments shaped like the schema, with values of the declared type most
/// of the time.
fn arguments_of(u: &mut Unstructured<'_>, params: &[Param]) -> Result<Map<String, Value>> {
    let mut args = Map::new();
    for p in params {
        if !p.children.is_empty() && u.ratio(1, 2)? {
            args.insert(p.key.clone(), Value::Object(arguments_of(u, &p.children)?));
            continue;
        }
        let v = match u.choose_index(5)? {
            0 => continue,
            1 => Value::Null,
            2 => value(u, 2)?,
            _ => match p.ty {
                Ty::String | Ty::NullableString | Ty::None => json!(String::arbitrary(u)?),
                Ty::Integer => match u.choose_index(3)? {
                    0 => json!(i64::arbitrary(u)?),
                    1 => json!(f64::from(i32::arbitrary(u)?)),
                    _ => json!(i64::arbitrary(u)? % (1 << 53)),
                },
                Ty::Boolean => json!(bool::arbitrary(u)?),
                Ty::Number => json!(f64::from(i16::arbitrary(u)?) / 4.0),
            },
        };
        args.insert(p.key.clone(), v);
    }
    Ok(args)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(text) = String::arbitrary(&mut u) else {
        return;
    };
    let encoded = fuzz_api::encode_header_value(&text);
    let header = HeaderValue::from_str(&encoded).expect("an encoded value is a header value");
    assert!(encoded.bytes().all(|b| (0x20..=0x7e).contains(&b)));
    let decoded = fuzz_api::decode_header_value(&header);
    assert_eq!(decoded.as_deref(), Ok(text.as_str()), "via {encoded:?}");

    let Ok(raw) = Vec::<u8>::arbitrary(&mut u) else {
        return;
    };
    if let Ok(v) = HeaderValue::from_bytes(&raw) {
        let _ = fuzz_api::decode_header_value(&v);
    }

    let Ok(params) = Vec::<Param>::arbitrary(&mut u) else {
        return;
    };
    let schema = schema_of(&params);
    let Ok(args) = arguments_of(&mut u, &params) else {
        return;
    };
    if let Ok(Ok(headers)) = fuzz_api::client_param_headers(&schema, Some(&args)) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(name, value);
        }
        if let Err(e) = fuzz_api::server_check_param_headers(&map, &schema, Some(&args)) {
            panic!(
                "the server refused what the client sent: {e}\nschema {schema:?}\nargs {args:?}\nheaders {map:?}"
            );
        }
    }

    // Anything else the fuzzer adds is only checked for panics.
    let mut map = HeaderMap::new();
    while let Ok((name, value)) = <(Text, Vec<u8>)>::arbitrary(&mut u) {
        let name = format!("mcp-param-{}", name.0);
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            map.append(n, v);
        }
        if u.is_empty() {
            break;
        }
    }
    let extra = Json::arbitrary(&mut u).map(|j| j.0).unwrap_or_default();
    let extra = extra.as_object().cloned().unwrap_or(args);
    let _ = fuzz_api::server_check_param_headers(&map, &schema, Some(&extra));
});
