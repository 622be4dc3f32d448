//! Stateless (2026-07-28) requests: per-request `_meta`, `server/discover`,
//! the fields every result carries, the errors bad requests earn, and
//! multi round-trip input. Every answer is checked against the 2026-07-28
//! schema.

#[allow(dead_code)]
#[path = "../../mcpwire-types/tests/support/mod.rs"]
mod support;

use std::time::Duration;

use mcpwire::server::{Context, ResourceRoute, Server, ServerBuilder, ToolRoute};
use mcpwire::transport::{FrameReader, FrameWriter, ReadEvent, memory};
use mcpwire_types::{ElicitRequestFormParams, ElicitRequestParams, ProtocolVersion};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use support::Schemas;

#[derive(Deserialize, JsonSchema)]
struct Text {
    text: String,
}

fn server() -> Server {
    builder().build()
}

fn form(message: &str, field: &str) -> ElicitRequestParams {
    ElicitRequestParams::Form(ElicitRequestFormParams::new(
        message,
        json!({"type":"object","properties":{field:{"type":"string"}}}),
    ))
}

fn builder() -> ServerBuilder {
    Server::builder("stateless-test", "2.0.0")
        .instructions("Stateless.")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(ToolRoute::typed(
            "chatty",
            |cx: Context, a: Text| async move {
                cx.info("a log line").await;
                a.text
            },
        ))
        .tool(ToolRoute::typed(
            "ask",
            |cx: Context, _a: Text| async move {
                let form = ElicitRequestFormParams::new(
                    "Name?",
                    json!({"type":"object","properties":{"name":{"type":"string"}}}),
                );
                let r = cx.elicit(ElicitRequestParams::Form(form)).await?;
                Ok::<_, mcpwire::Error>(format!("hello {}", r.content.unwrap_or_default()["name"]))
            },
        ))
        .tool(ToolRoute::typed(
            "ask_twice",
            |cx: Context, _a: Text| async move {
                let name = cx.elicit(form("Name?", "name")).await?;
                let city = cx.elicit_with_key("city", form("City?", "city")).await?;
                Ok::<_, mcpwire::Error>(format!(
                    "{} from {}",
                    name.content.unwrap_or_default()["name"],
                    city.content.unwrap_or_default()["city"]
                ))
            },
        ))
        .tool(ToolRoute::typed(
            "ask_together",
            |cx: Context, _a: Text| async move {
                let (name, city) = tokio::join!(
                    cx.elicit(form("Name?", "name")),
                    cx.elicit_with_key("city", form("City?", "city")),
                );
                Ok::<_, mcpwire::Error>(format!(
                    "{} from {}",
                    name?.content.unwrap_or_default()["name"],
                    city?.content.unwrap_or_default()["city"]
                ))
            },
        ))
        .tool(ToolRoute::typed(
            "same_key",
            |cx: Context, _a: Text| async move {
                cx.elicit_with_key("k", form("One?", "x")).await?;
                cx.elicit_with_key("k", form("Two?", "x")).await?;
                Ok::<_, mcpwire::Error>("unreachable")
            },
        ))
        .tool(ToolRoute::new(
            mcpwire::types::Tool::new("tagged", json!({"type": "object"})),
            |_cx: Context, _args: serde_json::Map<String, Value>| async move {
                let mut r = mcpwire::types::CallToolResult::text("tagged");
                r.meta = Some(serde_json::Map::from_iter([(
                    "example.com/tag".to_owned(),
                    json!("kept"),
                )]));
                Ok::<_, mcpwire::Error>(r)
            },
        ))
        .resource(ResourceRoute::new("memo://a", "a", |_cx, _u, _v| async {
            "A".to_string()
        }))
}

struct Raw {
    io: memory::MemoryTransport,
    next: i64,
}

fn meta(caps: Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": caps,
    })
}

impl Raw {
    async fn next(&mut self) -> Value {
        match tokio::time::timeout(Duration::from_secs(5), self.io.0.next_frame())
            .await
            .unwrap()
            .unwrap()
        {
            ReadEvent::Frame(b) => serde_json::from_slice::<Value>(b).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    fn start() -> Raw {
        Raw::with(server())
    }

    fn with(s: Server) -> Raw {
        let (a, b) = memory::duplex();
        tokio::spawn(async move { s.serve(a).await });
        Raw { io: b, next: 0 }
    }

    /// Sends a request and returns every message up to its answer.
    async fn call(
        &mut self,
        method: &str,
        mut params: Value,
        meta_value: Option<Value>,
    ) -> (Vec<Value>, Value) {
        self.next += 1;
        if let Some(m) = meta_value {
            params["_meta"] = m;
        }
        let msg = json!({"jsonrpc":"2.0","id":self.next,"method":method,"params":params});
        self.io.1.write_frame(msg.to_string().as_bytes());
        self.io.1.flush().await.unwrap();
        let mut before = Vec::new();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.io.0.next_frame())
                .await
                .unwrap()
                .unwrap();
            let v: Value = match frame {
                ReadEvent::Frame(b) => serde_json::from_slice(b).unwrap(),
                other => panic!("{other:?}"),
            };
            if v.get("id") == Some(&json!(self.next)) {
                return (before, v);
            }
            before.push(v);
        }
    }
}

fn check(def: &str, v: &Value) {
    Schemas::get()
        .check(ProtocolVersion::V2026_07_28, def, v)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn discover_and_results_carry_the_stateless_fields() {
    let mut raw = Raw::start();
    let (_, r) = raw
        .call("server/discover", json!({}), Some(meta(json!({}))))
        .await;
    let result = &r["result"];
    check("DiscoverResult", result);
    assert_eq!(result["supportedVersions"][0], "2026-07-28");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "stateless-test"
    );
    assert_eq!(result["instructions"], "Stateless.");
    assert!(result["capabilities"]["tools"].is_object());

    let (_, r) = raw
        .call("tools/list", json!({}), Some(meta(json!({}))))
        .await;
    check("ListToolsResult", &r["result"]);
    assert_eq!(r["result"]["resultType"], "complete");
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"echo","arguments":{"text":"hi"}}),
            Some(meta(json!({}))),
        )
        .await;
    check("CallToolResult", &r["result"]);
    assert_eq!(r["result"]["content"][0]["text"], "hi");
    let (_, r) = raw
        .call(
            "resources/read",
            json!({"uri":"memo://a"}),
            Some(meta(json!({}))),
        )
        .await;
    check("ReadResourceResult", &r["result"]);
    for m in ["resources/list", "resources/templates/list", "prompts/list"] {
        let (_, r) = raw.call(m, json!({}), Some(meta(json!({})))).await;
        assert!(
            r["result"]["ttlMs"].is_u64() && r["result"]["cacheScope"].is_string(),
            "{m}: {r}"
        );
    }
}

#[tokio::test]
async fn tool_results_gain_the_stateless_fields_and_keep_their_own_meta() {
    let mut raw = Raw::start();
    let info = json!({"name": "stateless-test", "version": "2.0.0"});
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"echo","arguments":{"text":"a \"quoted\" é"}}),
            Some(meta(json!({}))),
        )
        .await;
    check("CallToolResult", &r["result"]);
    assert_eq!(
        r["result"],
        json!({
            "resultType": "complete",
            "content": [{"type": "text", "text": "a \"quoted\" é"}],
            "_meta": {"io.modelcontextprotocol/serverInfo": info},
        })
    );
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"tagged","arguments":{}}),
            Some(meta(json!({}))),
        )
        .await;
    check("CallToolResult", &r["result"]);
    assert_eq!(r["result"]["resultType"], "complete");
    assert_eq!(r["result"]["_meta"]["example.com/tag"], "kept");
    assert_eq!(
        r["result"]["_meta"]["io.modelcontextprotocol/serverInfo"],
        info
    );
    // A tool's failure is still a result, with the same fields.
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"echo","arguments":{"text": 5}}),
            Some(meta(json!({}))),
        )
        .await;
    check("CallToolResult", &r["result"]);
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert_eq!(r["result"]["resultType"], "complete");
    // In a session, none of them.
    let (_, r) = raw
        .call(
            "initialize",
            json!({"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}),
            None,
        )
        .await;
    assert_eq!(r["result"]["protocolVersion"], "2025-11-25");
    let (_, r) = raw
        .call("tools/call", json!({"name":"tagged","arguments":{}}), None)
        .await;
    assert_eq!(
        r["result"]["_meta"],
        json!({"example.com/tag": "kept"}),
        "{r}"
    );
    assert!(r["result"].get("resultType").is_none(), "{r}");
}

#[tokio::test]
async fn bad_stateless_requests_get_the_errors_the_spec_names() {
    let mut raw = Raw::start();
    // Unsupported version: -32022 listing the supported ones.
    let mut m = meta(json!({}));
    m["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let (_, r) = raw.call("tools/list", json!({}), Some(m)).await;
    assert_eq!(r["error"]["code"], -32022);
    assert_eq!(r["error"]["data"]["requested"], "2099-01-01");
    assert!(
        r["error"]["data"]["supported"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-07-28"))
    );
    check("UnsupportedProtocolVersionError", &r);
    // Missing capabilities: -32602.
    let mut m = meta(json!({}));
    m.as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let (_, r) = raw.call("tools/list", json!({}), Some(m)).await;
    assert_eq!(r["error"]["code"], -32602);
    // Removed methods: -32601.
    for method in [
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "initialize",
    ] {
        let (_, r) = raw.call(method, json!({}), Some(meta(json!({})))).await;
        assert_eq!(r["error"]["code"], -32601, "{method}");
    }
    // Resource not found is -32602 with the URI.
    let (_, r) = raw
        .call(
            "resources/read",
            json!({"uri":"memo://missing"}),
            Some(meta(json!({}))),
        )
        .await;
    assert_eq!(r["error"]["code"], -32602);
    assert_eq!(r["error"]["data"]["uri"], "memo://missing");
    // Asking a client for what it did not declare: -32021.
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask","arguments":{"text":""}}),
            Some(meta(json!({}))),
        )
        .await;
    assert_eq!(r["error"]["code"], -32021, "{r}");
    assert!(r["error"]["data"]["requiredCapabilities"]["elicitation"].is_object());
    check("MissingRequiredClientCapabilityError", &r);
}

#[tokio::test]
async fn logs_go_out_only_when_the_request_asks() {
    let mut raw = Raw::start();
    let (before, _) = raw
        .call(
            "tools/call",
            json!({"name":"chatty","arguments":{"text":"x"}}),
            Some(meta(json!({}))),
        )
        .await;
    assert!(before.is_empty(), "no logs without logLevel: {before:?}");
    let mut m = meta(json!({}));
    m["io.modelcontextprotocol/logLevel"] = json!("info");
    let (before, _) = raw
        .call(
            "tools/call",
            json!({"name":"chatty","arguments":{"text":"x"}}),
            Some(m),
        )
        .await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["method"], "notifications/message");
    let mut m = meta(json!({}));
    m["io.modelcontextprotocol/logLevel"] = json!("error");
    let (before, _) = raw
        .call(
            "tools/call",
            json!({"name":"chatty","arguments":{"text":"x"}}),
            Some(m),
        )
        .await;
    assert!(before.is_empty());
}

#[tokio::test]
async fn input_is_asked_for_with_input_required_and_the_retry_completes() {
    let mut raw = Raw::start();
    let caps = json!({"elicitation": {"form": {}}});
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask","arguments":{"text":""}}),
            Some(meta(caps.clone())),
        )
        .await;
    let result = &r["result"];
    assert_eq!(result["resultType"], "input_required", "{r}");
    check("InputRequiredResult", result);
    let (key, request) = result["inputRequests"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(request["method"], "elicitation/create");
    let retry = json!({
        "name": "ask",
        "arguments": {"text": ""},
        "inputResponses": { key.clone(): {"action": "accept", "content": {"name": "Ada"}} },
    });
    let (_, r) = raw.call("tools/call", retry, Some(meta(caps))).await;
    assert_eq!(r["result"]["content"][0]["text"], "hello \"Ada\"", "{r}");
    assert_eq!(r["result"]["resultType"], "complete");
}

#[tokio::test]
async fn sessions_and_stateless_requests_share_one_connection() {
    let mut raw = Raw::start();
    let (_, r) = raw.call("initialize", json!({"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"0"}}), None).await;
    assert_eq!(r["result"]["protocolVersion"], "2025-11-25");
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"echo","arguments":{"text":"old"}}),
            None,
        )
        .await;
    assert!(
        r["result"].get("resultType").is_none(),
        "legacy results stay as they were"
    );
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"echo","arguments":{"text":"new"}}),
            Some(meta(json!({}))),
        )
        .await;
    assert_eq!(r["result"]["resultType"], "complete");
}

#[tokio::test]
async fn subscriptions_listen_acknowledges_tags_and_filters() {
    let (a, b) = memory::duplex();
    let s = server();
    let srv = s.clone();
    tokio::spawn(async move { srv.serve(a).await });
    let mut raw = Raw { io: b, next: 0 };
    let mut params = json!({"notifications": {"toolsListChanged": true, "promptsListChanged": true, "resourceSubscriptions": ["memo://a"]}});
    params["_meta"] = meta(json!({}));
    let listen =
        json!({"jsonrpc":"2.0","id":"sub-1","method":"subscriptions/listen","params":params});
    raw.io.1.write_frame(listen.to_string().as_bytes());
    raw.io.1.flush().await.unwrap();
    let ack = raw.next().await;
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "sub-1"
    );
    // The server has no prompts: that part is not agreed.
    assert_eq!(
        ack["params"]["notifications"],
        json!({"toolsListChanged": true, "resourceSubscriptions": ["memo://a"]})
    );
    s.resource_updated("memo://other");
    s.resource_updated("memo://a");
    s.add_tool(ToolRoute::typed(
        "late",
        |_cx, a: Text| async move { a.text },
    ));
    let n = raw.next().await;
    assert_eq!(n["method"], "notifications/resources/updated");
    assert_eq!(n["params"]["uri"], "memo://a");
    assert_eq!(
        n["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "sub-1"
    );
    let n = raw.next().await;
    assert_eq!(n["method"], "notifications/tools/list_changed");
    assert_eq!(
        n["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "sub-1"
    );
    // Cancelling ends it without an answer; the connection keeps serving.
    raw.io.1.write_frame(
        br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"sub-1"}}"#,
    );
    raw.io.1.flush().await.unwrap();
    let (before, r) = raw
        .call("tools/list", json!({}), Some(meta(json!({}))))
        .await;
    assert!(
        before.is_empty(),
        "no answer to the cancelled subscription: {before:?}"
    );
    assert_eq!(r["result"]["resultType"], "complete");
}

fn elicit_caps() -> Value {
    json!({"elicitation": {"form": {}}})
}

fn accept(field: &str, value: &str) -> Value {
    json!({"action": "accept", "content": {field: value}})
}

/// Calls `ask_twice` until its first `input_required`; returns the key and
/// the request state.
async fn first_round(raw: &mut Raw) -> (String, String) {
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask_twice","arguments":{"text":""}}),
            Some(meta(elicit_caps())),
        )
        .await;
    let result = &r["result"];
    assert_eq!(result["resultType"], "input_required", "{r}");
    check("InputRequiredResult", result);
    let key = result["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let state = result["requestState"]
        .as_str()
        .expect("a requestState")
        .to_owned();
    (key, state)
}

async fn retry(raw: &mut Raw, tool: &str, responses: Value, state: &str) -> Value {
    let params = json!({
        "name": tool,
        "arguments": {"text": ""},
        "inputResponses": responses,
        "requestState": state,
    });
    raw.call("tools/call", params, Some(meta(elicit_caps())))
        .await
        .1
}

#[tokio::test]
async fn request_state_carries_earlier_answers_across_rounds() {
    let mut raw = Raw::start();
    let (key, state) = first_round(&mut raw).await;
    assert_eq!(key, "elicit-0");
    // Round two: only the first answer, with the echoed state.
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    let result = &r["result"];
    assert_eq!(result["resultType"], "input_required", "{r}");
    check("InputRequiredResult", result);
    assert_eq!(
        result["inputRequests"]["city"]["method"],
        "elicitation/create"
    );
    let state = result["requestState"].as_str().unwrap().to_owned();
    // Round three: only the latest answer; the first comes from the state.
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({"city": accept("city", "London")}),
        &state,
    )
    .await;
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    assert_eq!(r["result"]["content"][0]["text"], "\"Ada\" from \"London\"");
}

#[tokio::test]
async fn tampered_request_state_is_refused() {
    let mut raw = Raw::start();
    let (key, state) = first_round(&mut raw).await;
    let mut bytes = state.into_bytes();
    bytes[6] = if bytes[6] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &tampered,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Invalid params: requestState"),
        "{message}"
    );
    for garbage in ["", "v1", "v1..", "v2.e30.AAAA", "not a state"] {
        let r = retry(&mut raw, "ask_twice", json!({}), garbage).await;
        assert_eq!(r["error"]["code"], -32602, "{garbage:?}: {r}");
    }
}

#[tokio::test]
async fn expired_request_state_is_refused() {
    let mut raw = Raw::with(builder().request_state_ttl(Duration::ZERO).build());
    let (key, state) = first_round(&mut raw).await;
    let r = retry(
        &mut raw,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"].as_str().unwrap().contains("expired"),
        "{r}"
    );
}

#[tokio::test]
async fn request_state_of_another_tool_is_refused() {
    let mut raw = Raw::start();
    let (key, state) = first_round(&mut raw).await;
    let r = retry(
        &mut raw,
        "ask",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("another request"),
        "{r}"
    );
}

#[tokio::test]
async fn request_state_keys_rotate() {
    let k1 = b"key one, shared by both servers".to_vec();
    let k2 = b"key two, new on the second".to_vec();
    let mut old = Raw::with(builder().request_state_keys(vec![k1.clone()]).build());
    let mut new = Raw::with(builder().request_state_keys(vec![k2.clone(), k1]).build());
    let (key, state) = first_round(&mut old).await;
    let r = retry(
        &mut new,
        "ask_twice",
        json!({ key: accept("name", "Ada") }),
        &state,
    )
    .await;
    assert_eq!(r["result"]["resultType"], "input_required", "{r}");
    // The new server seals with k2, which the old one does not know.
    let state = r["result"]["requestState"].as_str().unwrap().to_owned();
    let r = retry(
        &mut new,
        "ask_twice",
        json!({"city": accept("city", "Oslo")}),
        &state,
    )
    .await;
    assert_eq!(
        r["result"]["content"][0]["text"], "\"Ada\" from \"Oslo\"",
        "{r}"
    );
    let r = retry(
        &mut old,
        "ask_twice",
        json!({"city": accept("city", "Oslo")}),
        &state,
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
}

#[tokio::test]
async fn handler_chosen_keys_must_be_unique() {
    let mut raw = Raw::start();
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"same_key","arguments":{"text":""}}),
            Some(meta(elicit_caps())),
        )
        .await;
    assert!(r["result"]["inputRequests"]["k"].is_object(), "{r}");
    let state = r["result"]["requestState"].as_str().unwrap().to_owned();
    let r = retry(&mut raw, "same_key", json!({"k": accept("x", "1")}), &state).await;
    assert_eq!(r["result"]["isError"], true, "{r}");
}

#[tokio::test]
async fn asks_awaited_together_go_out_in_one_round() {
    let mut raw = Raw::start();
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"ask_together","arguments":{"text":""}}),
            Some(meta(elicit_caps())),
        )
        .await;
    let result = &r["result"];
    check("InputRequiredResult", result);
    let keys: Vec<&String> = result["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["city", "elicit-0"], "{r}");
    let state = result["requestState"].as_str().unwrap().to_owned();

    // Answering one of the two asks for the other alone.
    let r = retry(
        &mut raw,
        "ask_together",
        json!({"city": accept("city", "Paris")}),
        &state,
    )
    .await;
    let keys: Vec<&String> = r["result"]["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["elicit-0"], "{r}");
    let state = r["result"]["requestState"].as_str().unwrap().to_owned();

    let r = retry(
        &mut raw,
        "ask_together",
        json!({"elicit-0": accept("name", "Ada")}),
        &state,
    )
    .await;
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    assert_eq!(
        r["result"]["content"][0]["text"], "\"Ada\" from \"Paris\"",
        "{r}"
    );
}

#[tokio::test]
async fn cache_hints_are_set_per_method_and_per_resource() {
    use mcpwire::server::TemplateRoute;
    use mcpwire_types::{CacheHint, CacheScope, methods};
    let server = builder()
        .cache_hint(CacheHint::new(1_000, CacheScope::Private))
        .cache_hint_for(
            methods::TOOLS_LIST,
            CacheHint::new(60_000, CacheScope::Public),
        )
        .resource(
            ResourceRoute::new("memo://logo", "logo", |_cx, _u, _v| async {
                "L".to_string()
            })
            .cache_hint(CacheHint::new(86_400_000, CacheScope::Public)),
        )
        .template(
            TemplateRoute::new("memo://note/{id}", "note", |_cx, _u, _v| async {
                "N".to_string()
            })
            .unwrap()
            .cache_hint(CacheHint::new(5_000, CacheScope::Public)),
        )
        .build();
    let mut raw = Raw::with(server);
    let hint = |r: &Value| {
        (
            r["result"]["ttlMs"].clone(),
            r["result"]["cacheScope"].clone(),
        )
    };
    let (_, r) = raw
        .call("tools/list", json!({}), Some(meta(json!({}))))
        .await;
    assert_eq!(hint(&r), (json!(60_000), json!("public")), "{r}");
    check("ListToolsResult", &r["result"]);
    let (_, r) = raw
        .call("prompts/list", json!({}), Some(meta(json!({}))))
        .await;
    assert_eq!(hint(&r), (json!(1_000), json!("private")), "{r}");
    let read = |uri: &str| json!({ "uri": uri });
    let (_, r) = raw
        .call("resources/read", read("memo://logo"), Some(meta(json!({}))))
        .await;
    assert_eq!(hint(&r), (json!(86_400_000), json!("public")), "{r}");
    check("ReadResourceResult", &r["result"]);
    let (_, r) = raw
        .call(
            "resources/read",
            read("memo://note/7"),
            Some(meta(json!({}))),
        )
        .await;
    assert_eq!(hint(&r), (json!(5_000), json!("public")), "{r}");
    let (_, r) = raw
        .call("resources/read", read("memo://a"), Some(meta(json!({}))))
        .await;
    assert_eq!(hint(&r), (json!(1_000), json!("private")), "{r}");
    // Calls are not cacheable.
    let (_, r) = raw
        .call(
            "tools/call",
            json!({"name":"echo","arguments":{"text":"x"}}),
            Some(meta(json!({}))),
        )
        .await;
    assert!(r["result"].get("ttlMs").is_none(), "{r}");
}
