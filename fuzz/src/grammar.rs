//! A small grammar of JSON-RPC messages for structure-aware targets: the
//! methods an MCP server answers, ids valid and invalid, an optional
//! 2026-07-28 `_meta`, arbitrary extra members, batches, and raw or cut
//! bytes.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value, json};

/// Longest string the grammar makes.
const MAX_TEXT: usize = 48;

/// A short string.
#[derive(Debug, Clone)]
pub struct Text(pub String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let s = String::arbitrary(u)?;
        Ok(Text(s.chars().take(MAX_TEXT).collect()))
    }
}

/// Any JSON value, at most four levels deep and a few members wide.
#[derive(Debug, Clone)]
pub struct Json(pub Value);

impl<'a> Arbitrary<'a> for Json {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Json(value(u, 0)?))
    }
}

/// Keys that mean something somewhere in MCP, so that generated objects
/// reach the code that reads them.
const KEYS: &[&str] = &[
    "jsonrpc",
    "id",
    "method",
    "params",
    "result",
    "error",
    "code",
    "message",
    "_meta",
    "name",
    "arguments",
    "text",
    "uri",
    "cursor",
    "progressToken",
    "requestId",
    "io.modelcontextprotocol/protocolVersion",
    "protocolVersion",
    "capabilities",
    "clientInfo",
];

/// A key: one of [`KEYS`] or an arbitrary one.
pub fn key(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(3, 4)? {
        Ok((*u.choose(KEYS)?).to_owned())
    } else {
        Ok(Text::arbitrary(u)?.0)
    }
}

/// A JSON value of bounded size.
pub fn value(u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
    let kinds = if depth >= 4 { 5 } else { 7 };
    Ok(match u.choose_index(kinds)? {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => json!(i64::arbitrary(u)?),
        3 => {
            let f = f64::arbitrary(u)?;
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
        4 => Value::String(Text::arbitrary(u)?.0),
        5 => {
            let n = u.int_in_range(0..=3)?;
            Value::Array((0..n).map(|_| value(u, depth + 1)).collect::<Result<_>>()?)
        }
        _ => {
            let n = u.int_in_range(0..=3)?;
            let mut m = Map::new();
            for _ in 0..n {
                m.insert(key(u)?, value(u, depth + 1)?);
            }
            Value::Object(m)
        }
    })
}

/// A request id, valid or not.
#[derive(Arbitrary, Debug, Clone)]
pub enum Id {
    /// A small integer (ids collide often, as they do in real traffic).
    Small(u8),
    /// A string.
    Text(Text),
    /// Any integer.
    Large(i64),
    /// An integer beyond `i64`.
    Huge,
    /// `null`, which a request may not use.
    Null,
    /// A fraction, which no id may be.
    Fraction,
    /// An object, which no id may be.
    Object,
}

impl Id {
    /// The id as JSON.
    pub fn json(&self) -> Value {
        match self {
            Id::Small(n) => json!(n),
            Id::Text(t) => json!(t.0),
            Id::Large(n) => json!(n),
            Id::Huge => json!(u64::MAX),
            Id::Null => Value::Null,
            Id::Fraction => json!(1.5),
            Id::Object => json!({"id": 1}),
        }
    }
}

/// A protocol revision, known or not.
#[derive(Arbitrary, Debug, Clone)]
pub enum Revision {
    /// 2024-11-05.
    V2024_11_05,
    /// 2025-03-26.
    V2025_03_26,
    /// 2025-06-18.
    V2025_06_18,
    /// 2025-11-25.
    V2025_11_25,
    /// 2026-07-28, the stateless revision.
    V2026_07_28,
    /// Anything else.
    Other(Text),
}

impl Revision {
    /// The revision's name.
    pub fn as_str(&self) -> &str {
        match self {
            Revision::V2024_11_05 => "2024-11-05",
            Revision::V2025_03_26 => "2025-03-26",
            Revision::V2025_06_18 => "2025-06-18",
            Revision::V2025_11_25 => "2025-11-25",
            Revision::V2026_07_28 => "2026-07-28",
            Revision::Other(t) => &t.0,
        }
    }
}

/// Which tool a call names.
#[derive(Arbitrary, Debug, Clone)]
pub enum ToolName {
    /// The echo tool.
    Echo,
    /// The tool that always fails.
    Fail,
    /// The tool with `x-mcp-header` annotations.
    Regional,
    /// Any name.
    Other(Text),
}

impl ToolName {
    /// The name.
    pub fn as_str(&self) -> &str {
        match self {
            ToolName::Echo => "echo",
            ToolName::Fail => "fail",
            ToolName::Regional => "regional",
            ToolName::Other(t) => &t.0,
        }
    }
}

/// Which resource a read names.
#[derive(Arbitrary, Debug, Clone)]
pub enum Uri {
    /// The fixed resource.
    Static,
    /// A URI of the template, with this id.
    Ticket(Text),
    /// Any URI.
    Other(Text),
}

impl Uri {
    /// The URI.
    pub fn string(&self) -> String {
        match self {
            Uri::Static => "fuzz://static".to_owned(),
            Uri::Ticket(t) => format!("ticket://{}", t.0),
            Uri::Other(t) => t.0.clone(),
        }
    }
}

/// One message, by what it asks.
#[derive(Arbitrary, Debug, Clone)]
pub enum Msg {
    /// `initialize`.
    Initialize { id: Id, version: Revision },
    /// `notifications/initialized`.
    Initialized,
    /// `ping`.
    Ping { id: Id },
    /// `tools/list`.
    ToolsList { id: Id, cursor: Option<Text> },
    /// `tools/call`.
    CallTool {
        id: Id,
        name: ToolName,
        args: Option<Json>,
    },
    /// `resources/read`.
    ReadResource { id: Id, uri: Uri },
    /// `resources/templates/list`.
    ListTemplates { id: Id },
    /// `resources/subscribe`.
    Subscribe { id: Id, uri: Uri },
    /// `prompts/get`.
    GetPrompt {
        id: Id,
        name: Text,
        args: Option<Json>,
    },
    /// `logging/setLevel`.
    SetLevel { id: Id, level: Text },
    /// `server/discover`.
    Discover { id: Id },
    /// `notifications/cancelled` for a request id.
    Cancel { id: Id },
    /// `notifications/progress`.
    Progress { token: Id },
    /// A success response (to a request the server never sent).
    Result { id: Id },
    /// An error response.
    Error { id: Id, code: i32 },
    /// Any method, any params.
    Other {
        id: Option<Id>,
        method: Text,
        params: Option<Json>,
    },
}

/// A message with the extras that change how it is read.
#[derive(Arbitrary, Debug, Clone)]
pub struct Envelope {
    /// The message.
    pub msg: Msg,
    /// A 2026-07-28 `_meta` naming this revision, when present.
    pub meta: Option<Revision>,
    /// One more member of the envelope.
    pub extra: Option<(Text, Json)>,
    /// Whether `jsonrpc` is left out.
    pub no_version: bool,
}

fn request(id: &Id, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id.json(), "method": method, "params": params})
}

fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

impl Msg {
    /// The method, for the `Mcp-Method` header.
    pub fn method(&self) -> Option<&str> {
        Some(match self {
            Msg::Initialize { .. } => "initialize",
            Msg::Initialized => "notifications/initialized",
            Msg::Ping { .. } => "ping",
            Msg::ToolsList { .. } => "tools/list",
            Msg::CallTool { .. } => "tools/call",
            Msg::ReadResource { .. } => "resources/read",
            Msg::ListTemplates { .. } => "resources/templates/list",
            Msg::Subscribe { .. } => "resources/subscribe",
            Msg::GetPrompt { .. } => "prompts/get",
            Msg::SetLevel { .. } => "logging/setLevel",
            Msg::Discover { .. } => "server/discover",
            Msg::Cancel { .. } => "notifications/cancelled",
            Msg::Progress { .. } => "notifications/progress",
            Msg::Result { .. } | Msg::Error { .. } => return None,
            Msg::Other { method, .. } => &method.0,
        })
    }

    /// The name or URI a 2026-07-28 request carries in `Mcp-Name`.
    pub fn target(&self) -> Option<String> {
        match self {
            Msg::CallTool { name, .. } => Some(name.as_str().to_owned()),
            Msg::ReadResource { uri, .. } => Some(uri.string()),
            Msg::GetPrompt { name, .. } => Some(name.0.clone()),
            _ => None,
        }
    }

    /// The message as JSON.
    pub fn json(&self) -> Value {
        let opt = |j: &Option<Json>| j.as_ref().map_or(json!({}), |j| j.0.clone());
        match self {
            Msg::Initialize { id, version } => request(
                id,
                "initialize",
                json!({
                    "protocolVersion": version.as_str(),
                    "capabilities": {},
                    "clientInfo": {"name": "fuzz", "version": "1"},
                }),
            ),
            Msg::Initialized => notification("notifications/initialized", json!({})),
            Msg::Ping { id } => request(id, "ping", json!({})),
            Msg::ToolsList { id, cursor } => match cursor {
                Some(c) => request(id, "tools/list", json!({"cursor": c.0})),
                None => request(id, "tools/list", json!({})),
            },
            Msg::CallTool { id, name, args } => request(
                id,
                "tools/call",
                json!({"name": name.as_str(), "arguments": opt(args)}),
            ),
            Msg::ReadResource { id, uri } => {
                request(id, "resources/read", json!({"uri": uri.string()}))
            }
            Msg::ListTemplates { id } => request(id, "resources/templates/list", json!({})),
            Msg::Subscribe { id, uri } => {
                request(id, "resources/subscribe", json!({"uri": uri.string()}))
            }
            Msg::GetPrompt { id, name, args } => request(
                id,
                "prompts/get",
                json!({"name": name.0, "arguments": opt(args)}),
            ),
            Msg::SetLevel { id, level } => {
                request(id, "logging/setLevel", json!({"level": level.0}))
            }
            Msg::Discover { id } => request(id, "server/discover", json!({})),
            Msg::Cancel { id } => notification(
                "notifications/cancelled",
                json!({"requestId": id.json(), "reason": "fuzz"}),
            ),
            Msg::Progress { token } => notification(
                "notifications/progress",
                json!({"progressToken": token.json(), "progress": 1}),
            ),
            Msg::Result { id } => json!({"jsonrpc": "2.0", "id": id.json(), "result": {}}),
            Msg::Error { id, code } => json!({
                "jsonrpc": "2.0", "id": id.json(),
                "error": {"code": code, "message": "fuzz"}
            }),
            Msg::Other { id, method, params } => {
                let mut m = json!({"jsonrpc": "2.0", "method": method.0});
                if let Some(id) = id {
                    m["id"] = id.json();
                }
                if let Some(p) = params {
                    m["params"] = p.0.clone();
                }
                m
            }
        }
    }
}

impl Envelope {
    /// The message as JSON, with its extras.
    pub fn json(&self) -> Value {
        let mut v = self.msg.json();
        if let Some(rev) = &self.meta
            && let Some(params) = v.get_mut("params").and_then(Value::as_object_mut)
        {
            let meta = params.entry("_meta").or_insert_with(|| json!({}));
            if let Some(meta) = meta.as_object_mut() {
                meta.insert(
                    "io.modelcontextprotocol/protocolVersion".into(),
                    json!(rev.as_str()),
                );
                meta.insert(
                    "io.modelcontextprotocol/clientInfo".into(),
                    json!({"name": "fuzz", "version": "1"}),
                );
                meta.insert(
                    "io.modelcontextprotocol/clientCapabilities".into(),
                    json!({}),
                );
            }
        }
        if let Some(obj) = v.as_object_mut() {
            if let Some((k, j)) = &self.extra {
                obj.insert(k.0.clone(), j.0.clone());
            }
            if self.no_version {
                obj.remove("jsonrpc");
            }
        }
        v
    }
}

/// What one frame or body holds.
#[derive(Arbitrary, Debug, Clone)]
pub enum Body {
    /// One message.
    One(Envelope),
    /// A JSON-RPC batch.
    Batch(Vec<Envelope>),
    /// A message cut short after this many bytes.
    Cut(Envelope, u16),
    /// Any bytes.
    Raw(Vec<u8>),
    /// Any JSON value.
    Value(Json),
}

impl Body {
    /// The bytes of the body.
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Body::One(e) => e.json().to_string().into_bytes(),
            Body::Batch(items) => Value::Array(items.iter().map(Envelope::json).collect())
                .to_string()
                .into_bytes(),
            Body::Cut(e, n) => {
                let mut b = e.json().to_string().into_bytes();
                b.truncate(usize::from(*n));
                b
            }
            Body::Raw(b) => b.clone(),
            Body::Value(j) => j.0.to_string().into_bytes(),
        }
    }

    /// The single message, when the body is one.
    pub fn envelope(&self) -> Option<&Envelope> {
        match self {
            Body::One(e) => Some(e),
            _ => None,
        }
    }
}
