//! Every tool of every example server lists input and output schemas that
//! hosts with a one-type schema dialect accept (`check_portable`).

use mcpwire::client::Client;
use mcpwire::transport::ChildProcess;
use mcpwire::transport::http_client::HttpClientTransport;

use super::common::{self, Served};

async fn assert_portable_tools(name: &str, client: Client) {
    mcpwire_testkit::schemas::assert_portable_tools(name, &client).await;
}

async fn over_stdio(name: &str, args: &[&str]) -> Client {
    let t = ChildProcess::new(common::example(name))
        .args(args.iter().copied())
        .spawn()
        .unwrap();
    Client::builder("schemas-test", "1")
        .connect(t)
        .await
        .unwrap()
}

async fn over_http(url: &str, token: Option<&str>) -> Client {
    let mut transport = HttpClientTransport::builder(url);
    if let Some(token) = token {
        transport = transport.header("Authorization", format!("Bearer {token}"));
    }
    Client::builder("schemas-test", "1")
        .connect(transport.build().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn every_example_tool_schema_is_portable() {
    for (name, args) in [
        ("echo", &["stdio"][..]),
        ("quickstart_server", &[]),
        ("routes_with_state", &[]),
        ("builder_server", &["stdio"]),
        ("macro_server", &["stdio"]),
    ] {
        assert_portable_tools(name, over_stdio(name, args).await).await;
    }

    let app = Served::start("axum_mount", &["127.0.0.1:0"]);
    assert_portable_tools("axum_mount", over_http(&app.url, None).await).await;

    let mut protected = Served::start("oauth_protected", &["127.0.0.1:0"]);
    let _alice = protected.line();
    let root = protected.line();
    let root = root
        .strip_prefix("ROOT_TOKEN=")
        .unwrap_or_else(|| panic!("{root:?}"));
    let client = over_http(&protected.url, Some(root)).await;
    assert_portable_tools("oauth_protected", client).await;
}
