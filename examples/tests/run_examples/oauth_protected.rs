//! `oauth_protected`: no token, a wrong token or a missing scope are
//! refused with the challenge a client needs, the tokens it printed get
//! through, and the server keeps serving after every refusal.

use mcpwire::client::Client;
use mcpwire::transport::http_client::HttpClientTransport;
use serde_json::{Value, json};

use super::common::{self, Served};
use super::text;

/// The example, with the two tokens it printed.
struct Protected {
    server: Served,
    alice: String,
    root: String,
}

fn start() -> Protected {
    let mut server = Served::start("oauth_protected", &["127.0.0.1:0"]);
    let mut token = |name: &str| {
        let line = server.line();
        line.strip_prefix(&format!("{name}="))
            .unwrap_or_else(|| panic!("expected {name}=..., got {line:?}"))
            .to_owned()
    };
    let alice = token("ALICE_TOKEN");
    let root = token("ROOT_TOKEN");
    assert_eq!(alice.len(), 64, "{alice}");
    assert_ne!(alice, root);
    Protected {
        server,
        alice,
        root,
    }
}

async fn connect(url: &str, token: &str) -> Result<Client, mcpwire::Error> {
    let transport = HttpClientTransport::builder(url)
        .header("Authorization", format!("Bearer {token}"))
        .build()
        .unwrap();
    Client::builder("oauth-protected-test", "1")
        .connect(transport)
        .await
}

#[tokio::test]
async fn the_printed_tokens_get_in_with_their_scopes() {
    let p = start();
    let alice = connect(&p.server.url, &p.alice).await.unwrap();
    let r = alice.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(text(&r), "alice with scopes mcp:tools");

    // `stats` needs mcp:admin, which alice lacks: the call is refused, and
    // her session goes on.
    let e = alice.call_tool("stats", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("insufficient_scope"), "{e}");
    let r = alice.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(text(&r), "alice with scopes mcp:tools");

    let root = connect(&p.server.url, &p.root).await.unwrap();
    let r = root.call_tool("stats", json!({})).await.unwrap();
    assert_eq!(text(&r), "whoami calls: 2");
    let r = root.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(text(&r), "root with scopes mcp:tools mcp:admin");
    alice.close().await;
    root.close().await;
}

#[test]
fn no_token_or_a_wrong_one_gets_401_with_the_metadata_to_find_the_issuer() {
    let p = start();
    let metadata_url = format!(
        "http://{}/.well-known/oauth-protected-resource/mcp",
        p.server.addr
    );
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let json = ("Content-Type", "application/json");
    let wrong = format!("Bearer {}x", p.alice);
    let basic = "Basic YWxpY2U6c2VjcmV0";
    for auth in [None, Some(wrong.as_str()), Some("Bearer "), Some(basic)] {
        let mut headers = vec![json];
        headers.extend(auth.map(|a| ("Authorization", a)));
        let answer = p.server.http("POST", "/mcp", &headers, ping);
        assert_eq!(answer.status, 401, "{auth:?}: {answer:?}");
        let challenge = answer.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer ")
                && challenge.contains(&format!("resource_metadata=\"{metadata_url}\""))
                && challenge.contains("scope=\"mcp:tools\""),
            "{auth:?}: {challenge}"
        );
        // The answer never echoes the token that was sent.
        assert!(!answer.body.contains(&p.alice), "{answer:?}");
    }

    // A token in the query string is refused outright.
    let answer = p.server.http(
        "POST",
        &format!("/mcp?access_token={}", p.alice),
        &[json],
        ping,
    );
    assert_eq!(answer.status, 400, "{answer:?}");

    // The metadata document needs no token and names the resource.
    let answer = p
        .server
        .http("GET", "/.well-known/oauth-protected-resource/mcp", &[], "");
    assert_eq!(answer.status, 200, "{answer:?}");
    let doc: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(doc["resource"], p.server.url);
    assert_eq!(doc["scopes_supported"], json!(["mcp:tools", "mcp:admin"]));

    // After all that, the printed token still works.
    let out = common::run(
        "http_client",
        &[&p.server.url, "whoami", "{}"],
        &[("MCP_BEARER_TOKEN", &p.alice)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("whoami -> alice with scopes mcp:tools\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn a_client_with_a_wrong_token_cannot_connect() {
    let p = start();
    let Err(e) = connect(&p.server.url, "not-a-token").await else {
        panic!("a wrong token is refused");
    };
    assert!(e.to_string().contains("401"), "{e}");
    // The server still serves the right token.
    let c = connect(&p.server.url, &p.root).await.unwrap();
    assert_eq!(
        text(&c.call_tool("whoami", json!({})).await.unwrap()),
        "root with scopes mcp:tools mcp:admin"
    );
    c.close().await;
}
