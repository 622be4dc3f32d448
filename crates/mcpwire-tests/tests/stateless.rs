//! Stateless (2026-07-28) requests: per-request `_meta`, `server/discover`,
//! the fields every result carries, the errors bad requests earn, logs,
//! subscriptions and cache hints. Every answer is checked against the
//! 2026-07-28 schema; multi round-trip input is in `stateless_mrtr.rs`.

#[allow(dead_code)]
#[path = "../../mcpwire-types/tests/support/mod.rs"]
mod schemas;
mod support {
    pub mod stateless;
}

use serde_json::{Value, json};
use support::stateless::*;

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
    for m in ["resources/list", "resources/templates/list"] {
        let (_, r) = raw.call(m, json!({}), Some(meta(json!({})))).await;
        assert!(
            r["result"]["ttlMs"].is_u64() && r["result"]["cacheScope"].is_string(),
            "{m}: {r}"
        );
    }
    // The server has no prompts, so it does not declare them.
    let (_, r) = raw
        .call("prompts/list", json!({}), Some(meta(json!({}))))
        .await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
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
    let s = server();
    let mut raw = Raw::with(s.clone());
    let mut params = json!({"notifications": {"toolsListChanged": true, "promptsListChanged": true, "resourceSubscriptions": ["memo://a"]}});
    params["_meta"] = meta(json!({}));
    let listen =
        json!({"jsonrpc":"2.0","id":"sub-1","method":"subscriptions/listen","params":params});
    raw.0.send(&listen).await;
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
    raw.0
        .notify("notifications/cancelled", json!({"requestId": "sub-1"}))
        .await;
    let (before, r) = raw
        .call("tools/list", json!({}), Some(meta(json!({}))))
        .await;
    assert!(
        before.is_empty(),
        "no answer to the cancelled subscription: {before:?}"
    );
    assert_eq!(r["result"]["resultType"], "complete");
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
        .prompt(mcpwire::server::PromptRoute::new(
            mcpwire_types::Prompt::new("p"),
            |_cx, _a| async { "p".to_string() },
        ))
        .build()
        .unwrap();
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
