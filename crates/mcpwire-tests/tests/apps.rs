//! MCP Apps on the server side, with real clients in both eras: a tool's
//! `_meta.ui` reaches only clients that declared the
//! `io.modelcontextprotocol/ui` extension, the handler tells the two kinds
//! of client apart, and the `ui://` page reads back with its MIME type and
//! `_meta.ui`.

use mcpwire::client::{Client, ClientBuilder, ClientMode};
use mcpwire::server::apps::{AppResource, EXTENSION_ID, MIME_TYPE};
use mcpwire::server::{Context, Server, ToolRoute};
use mcpwire::types::apps::{UiPermission, UiResourceMeta, UiVisibility};
use mcpwire::types::{ClientCapabilities, Era, ProtocolVersion, ResourceContents, Tool};
use serde_json::json;

const FACE: &str = "ui://clock/face";
const PAGE: &str = "<!doctype html><title>Clock</title><p id=now></p>";

/// The time: drawn on the clock face for hosts that render apps, as text
/// for the others.
#[mcpwire::tool(ui = "ui://clock/face", read_only)]
fn now(cx: Context) -> String {
    if cx.supports_apps() {
        "12:00, on the face".into()
    } else {
        "It is 12:00.".into()
    }
}

fn server() -> Server {
    Server::builder("clock", "1.0")
        .tool(now_tool())
        // Only the page calls this one; it names the page in the flat key
        // older hosts read, too.
        .tool(
            ToolRoute::typed("tick", |_cx, (): ()| async { "tock" })
                .ui(FACE)
                .ui_visibility([UiVisibility::App])
                .with_definition(|def| {
                    let meta = def.meta.get_or_insert_with(Default::default);
                    meta.insert("ui/resourceUri".into(), json!(FACE));
                    meta.insert("com.example/owner".into(), json!("clocks"));
                }),
        )
        .tool(ToolRoute::typed("plain", |_cx, (): ()| async { "plain" }))
        .tool(ToolRoute::typed(
            "declared",
            |cx: Context, (): ()| async move {
                let caps = cx.client_capabilities();
                format!(
                    "apps {}, elicitation {}",
                    cx.supports_apps(),
                    caps.supports_form_elicitation()
                )
            },
        ))
        .resource(
            AppResource::new(FACE, "clock_face", PAGE)
                .title("Clock face")
                .connect_domain("https://time.example")
                .resource_domain("https://cdn.example")
                .permission(UiPermission::ClipboardWrite)
                .domain("clock.example")
                .prefers_border(false),
        )
        .build()
        .unwrap()
}

fn builder(era: Era, apps: bool) -> ClientBuilder {
    let b = Client::builder("apps-test", "1.0").mode(match era {
        Era::Session => ClientMode::Pinned(ProtocolVersion::V2025_11_25),
        Era::Stateless => ClientMode::Pinned(ProtocolVersion::V2026_07_28),
    });
    if apps { b.apps() } else { b }
}

fn find<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools.iter().find(|t| t.name == name).expect(name)
}

async fn call_text(c: &Client, tool: &str) -> String {
    let r = c.call_tool(tool, json!({})).await.unwrap();
    r.content[0].as_text().unwrap_or_default().to_owned()
}

/// One server, asked in turn by clients with and without the extension:
/// each gets its own list (the cached pages of one never reach the other).
#[tokio::test]
async fn tools_list_shows_the_ui_only_to_clients_that_declared_apps() {
    let server = server();
    for era in [Era::Session, Era::Stateless] {
        for apps in [false, true, false] {
            let c = mcpwire_testkit::memory::connect(&server, builder(era, apps)).await;
            assert_eq!(c.era(), era);
            let tools = c.list_tools().await.unwrap();
            let now = find(&tools, "now");
            let tick = find(&tools, "tick");
            if apps {
                let ui = now.ui().expect("now has its UI");
                assert_eq!(ui.resource_uri.as_deref(), Some(FACE), "{era:?}");
                assert_eq!(ui.visibility, None);
                let meta = tick.meta.as_ref().unwrap();
                assert_eq!(
                    meta["ui"],
                    json!({"resourceUri": FACE, "visibility": ["app"]})
                );
                assert_eq!(meta["ui/resourceUri"], FACE);
            } else {
                assert!(now.meta.is_none(), "{era:?}: {:?}", now.meta);
                // The rest of `_meta` stays; both keys of the UI go.
                assert_eq!(
                    tick.meta.as_ref().map(|m| json!(m)),
                    Some(json!({"com.example/owner": "clocks"})),
                    "{era:?}"
                );
            }
            assert!(find(&tools, "plain").meta.is_none());
            assert_eq!(now.annotations.as_ref().unwrap().read_only_hint, Some(true));
        }
    }
}

#[tokio::test]
async fn the_handler_knows_whether_its_client_renders_apps() {
    let server = server();
    for era in [Era::Session, Era::Stateless] {
        let plain = mcpwire_testkit::memory::connect(&server, builder(era, false)).await;
        assert_eq!(call_text(&plain, "now").await, "It is 12:00.", "{era:?}");
        let host = mcpwire_testkit::memory::connect(&server, builder(era, true)).await;
        assert_eq!(
            call_text(&host, "now").await,
            "12:00, on the face",
            "{era:?}"
        );
    }
}

/// The server declares the extension (in `initialize` and in
/// `server/discover`) while some tool names an app, and not otherwise.
#[tokio::test]
async fn the_server_declares_apps_while_a_tool_names_one() {
    let with_ui = server();
    let without = Server::builder("plain", "1.0")
        .tool(ToolRoute::typed("plain", |_cx, (): ()| async { "plain" }))
        .build()
        .unwrap();
    // A session reads them from `initialize`...
    let c = mcpwire_testkit::memory::connect(&with_ui, builder(Era::Session, false)).await;
    let ext = c
        .server_capabilities()
        .extensions
        .clone()
        .unwrap_or_default();
    assert_eq!(ext.get(EXTENSION_ID), Some(&json!({})), "{ext:?}");
    let c = mcpwire_testkit::memory::connect(&without, builder(Era::Session, true)).await;
    assert!(c.server_capabilities().extensions.is_none());
    // ...a stateless client from `server/discover`.
    let c = mcpwire_testkit::memory::connect(&with_ui, builder(Era::Stateless, false)).await;
    let ext = c.discover().await.unwrap().capabilities.extensions;
    assert_eq!(ext.unwrap_or_default().get(EXTENSION_ID), Some(&json!({})));
    let c = mcpwire_testkit::memory::connect(&without, builder(Era::Stateless, true)).await;
    assert!(
        c.discover()
            .await
            .unwrap()
            .capabilities
            .extensions
            .is_none()
    );
    // It follows the tools: gone with the last tool that names an app.
    for name in ["now", "tick"] {
        assert!(with_ui.remove_tool(name));
    }
    let c = mcpwire_testkit::memory::connect(&with_ui, builder(Era::Session, true)).await;
    assert!(c.server_capabilities().extensions.is_none());
}

/// `ClientBuilder::apps` declares the extension beside what the client's
/// handlers imply, in both eras.
#[tokio::test]
async fn apps_is_declared_beside_the_handlers_capabilities() {
    let server = server();
    for era in [Era::Session, Era::Stateless] {
        let b = builder(era, true).on_elicitation(|_p| async {
            Ok(mcpwire::types::ElicitResult::accept(Default::default()))
        });
        let c = mcpwire_testkit::memory::connect(&server, b).await;
        assert_eq!(
            call_text(&c, "declared").await,
            "apps true, elicitation true",
            "{era:?}"
        );
        let plain = mcpwire_testkit::memory::connect(&server, builder(era, false)).await;
        assert_eq!(
            call_text(&plain, "declared").await,
            "apps false, elicitation false"
        );
    }
}

/// A declaration whose `mimeTypes` leave out the MCP App type is no
/// support: such a client cannot render the page.
#[tokio::test]
async fn a_client_without_the_app_mime_type_gets_the_plain_tool() {
    let server = server();
    let caps: ClientCapabilities = serde_json::from_value(json!({
        "extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html"]}}
    }))
    .unwrap();
    for era in [Era::Session, Era::Stateless] {
        let c = mcpwire_testkit::memory::connect(
            &server,
            builder(era, false).capabilities(caps.clone()),
        )
        .await;
        let tools = c.list_tools().await.unwrap();
        assert!(find(&tools, "now").meta.is_none(), "{era:?}");
        assert_eq!(call_text(&c, "now").await, "It is 12:00.", "{era:?}");
    }
}

#[tokio::test]
async fn the_page_reads_back_with_its_mime_type_and_ui_meta() {
    let server = server();
    let want = json!({
        "csp": {"connectDomains": ["https://time.example"], "resourceDomains": ["https://cdn.example"]},
        "permissions": {"clipboardWrite": {}},
        "domain": "clock.example",
        "prefersBorder": false,
    });
    for era in [Era::Session, Era::Stateless] {
        let c = mcpwire_testkit::memory::connect(&server, builder(era, true)).await;
        let listed = c.list_resources().await.unwrap();
        let face = listed
            .iter()
            .find(|r| r.uri == FACE)
            .expect("the page is listed");
        assert_eq!(face.mime_type.as_deref(), Some(MIME_TYPE));
        assert_eq!(face.title.as_deref(), Some("Clock face"));
        assert_eq!(json!(face.meta.as_ref().unwrap()["ui"]), want);

        let read = c.read_resource(FACE).await.unwrap();
        assert_eq!(read.contents.len(), 1);
        let ResourceContents::Text(page) = &read.contents[0] else {
            panic!("the page is text: {:?}", read.contents[0]);
        };
        assert_eq!(page.uri, FACE);
        assert_eq!(page.mime_type.as_deref(), Some(MIME_TYPE));
        assert_eq!(page.text, PAGE);
        assert_eq!(json!(page.meta.as_ref().unwrap()["ui"]), want, "{era:?}");
        let typed = UiResourceMeta::of(page.meta.as_ref()).unwrap();
        assert!(
            typed
                .permissions
                .unwrap()
                .asks(UiPermission::ClipboardWrite)
        );
    }
}

/// A tool added while clients are connected drops the cached pages of
/// both lists: each kind of client sees it, in its own form.
#[tokio::test]
async fn a_tool_added_later_reaches_both_lists() {
    let server = server();
    let plain = mcpwire_testkit::memory::connect(&server, builder(Era::Session, false)).await;
    let host = mcpwire_testkit::memory::connect(&server, builder(Era::Session, true)).await;
    assert_eq!(plain.list_tools().await.unwrap().len(), 4);
    assert_eq!(host.list_tools().await.unwrap().len(), 4);
    server.add_tool(ToolRoute::typed("alarm", |_cx, (): ()| async { "ring" }).ui(FACE));
    let seen = plain.list_tools().await.unwrap();
    assert!(find(&seen, "alarm").meta.is_none());
    let seen = host.list_tools().await.unwrap();
    assert_eq!(
        find(&seen, "alarm").ui().unwrap().resource_uri.as_deref(),
        Some(FACE)
    );
}
