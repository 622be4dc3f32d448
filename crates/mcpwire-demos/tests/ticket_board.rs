//! The support desk's ticket board with real clients, in memory and over
//! Streamable HTTP, in both eras: an MCP App (`ui://desk/board`) for hosts
//! that declared the extension, a text table for the others, the open
//! tickets as structured content for both, and `close_ticket` taking a
//! ticket off the board.

mod common;

use std::time::Duration;

use common::{assert_valid, tool_text};
use mcpwire::client::{Client, ClientBuilder, ClientMode};
use mcpwire::server::apps::MIME_TYPE;
use mcpwire::server::check_portable;
use mcpwire::transport::http_client::HttpClientTransport;
use mcpwire::transport::http_server::HttpConfig;
use mcpwire::types::{ClientCapabilities, Era, ProtocolVersion, ResourceContents, Tool};
use mcpwire_demos::demo::TempDb;
use mcpwire_demos::support_desk::{self, BOARD_URI, TicketBoard};
use serde_json::json;

const ERAS: [Era; 2] = [Era::Session, Era::Stateless];

fn desk() -> (TempDb, mcpwire::server::Server) {
    let db = TempDb::new().unwrap();
    let server = support_desk::server(db.path()).unwrap();
    (db, server)
}

fn builder(era: Era, apps: bool) -> ClientBuilder {
    let b = Client::builder("board-test", "1.0").mode(match era {
        Era::Session => ClientMode::Pinned(ProtocolVersion::V2025_11_25),
        Era::Stateless => ClientMode::Pinned(ProtocolVersion::V2026_07_28),
    });
    if apps {
        b.capabilities(ClientCapabilities::default().with_apps())
    } else {
        b
    }
}

async fn connect(server: &mcpwire::server::Server, era: Era, apps: bool) -> Client {
    let c = mcpwire_testkit::memory::connect(server, builder(era, apps)).await;
    assert_eq!(c.era(), era);
    c
}

fn board_tool(tools: &[Tool]) -> &Tool {
    tools
        .iter()
        .find(|t| t.name == "ticket_board")
        .expect("ticket_board is listed")
}

/// The board's ticket numbers, from a `ticket_board` result.
async fn board_ids(c: &Client) -> Vec<i64> {
    let r = c.call_tool("ticket_board", json!({})).await.unwrap();
    assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
    let board: TicketBoard = serde_json::from_value(r.structured_content.unwrap()).unwrap();
    board.tickets.iter().map(|t| t.id).collect()
}

#[tokio::test]
async fn the_board_names_its_app_only_to_hosts_that_render_apps() {
    let (_db, server) = desk();
    for era in ERAS {
        for apps in [true, false] {
            let c = connect(&server, era, apps).await;
            let tools = c.list_tools().await.unwrap();
            let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(names, ["close_ticket", "escalate_ticket", "ticket_board"]);
            let board = board_tool(&tools);
            // Both schemas read the same in every client's validator.
            let output = board.output_schema.as_ref().expect("an output schema");
            assert_eq!(check_portable(output), Ok(()));
            assert_eq!(check_portable(&board.input_schema), Ok(()));
            let hints = board.annotations.as_ref().unwrap();
            assert_eq!(hints.read_only_hint, Some(true));
            let ui = board.ui().and_then(|u| u.resource_uri);
            let want = apps.then(|| BOARD_URI.to_owned());
            assert_eq!(ui, want, "{era:?}, apps {apps}");
            assert_eq!(board.meta.is_some(), apps, "{era:?}: {:?}", board.meta);
        }
    }
}

#[tokio::test]
async fn the_board_holds_the_open_tickets_as_structured_content() {
    let (_db, server) = desk();
    for era in ERAS {
        let c = connect(&server, era, true).await;
        let tools = c.list_tools().await.unwrap();
        let schema = board_tool(&tools).output_schema.clone().unwrap();
        let r = c.call_tool("ticket_board", json!({})).await.unwrap();
        let structured = r.structured_content.clone().unwrap();
        assert_valid(&schema, &structured);
        let board: TicketBoard = serde_json::from_value(structured).unwrap();
        let ids: Vec<i64> = board.tickets.iter().map(|t| t.id).collect();
        assert_eq!(ids, (42..=49).collect::<Vec<_>>());
        let first = &board.tickets[0];
        assert_eq!(first.subject, "Cannot log in after password change");
        assert_eq!(first.customer_email, "alice@example.com");
        assert_eq!(first.status, "open");
        // The host draws the board; the model reads one line.
        let text = tool_text(&r);
        assert_eq!(
            text,
            "8 open tickets are on the ticket board: 42, 43, 44, 45, 46, 47, 48, 49."
        );
    }
}

#[tokio::test]
async fn without_apps_the_board_is_a_text_table() {
    let (_db, server) = desk();
    for era in ERAS {
        let c = connect(&server, era, false).await;
        let r = c.call_tool("ticket_board", json!({})).await.unwrap();
        let text = tool_text(&r);
        assert!(text.starts_with("# Open tickets"), "{text}");
        assert!(
            text.contains(
                "| 42 | Cannot log in after password change | alice@example.com | pro | open |"
            ),
            "{text}"
        );
        assert!(text.contains("8 open."), "{text}");
        // The structured content the output schema promises is there too.
        let board: TicketBoard = serde_json::from_value(r.structured_content.unwrap()).unwrap();
        assert_eq!(board.tickets.len(), 8);
    }
}

#[tokio::test]
async fn the_board_page_is_a_self_contained_mcp_app() {
    let (_db, server) = desk();
    for era in ERAS {
        let c = connect(&server, era, true).await;
        let listed = c.list_resources().await.unwrap();
        let entry = listed.iter().find(|r| r.uri == BOARD_URI).unwrap();
        assert_eq!(entry.mime_type.as_deref(), Some(MIME_TYPE));
        let read = c.read_resource(BOARD_URI).await.unwrap();
        let ResourceContents::Text(page) = &read.contents[0] else {
            panic!("the page is text");
        };
        assert_eq!(page.mime_type.as_deref(), Some(MIME_TYPE));
        assert_eq!(
            json!(page.meta.as_ref().unwrap()["ui"]),
            json!({"prefersBorder": true})
        );
        let html = &page.text;
        assert!(html.starts_with("<!doctype html>"));
        // It speaks the Apps protocol...
        for needle in [
            "\"ui/initialize\"",
            "\"ui/notifications/initialized\"",
            "\"ui/notifications/tool-result\"",
            "\"ui/notifications/size-changed\"",
            "\"tools/call\"",
            "name: \"close_ticket\"",
            "name: \"ticket_board\"",
            "button.dataset.close",
        ] {
            assert!(html.contains(needle), "the page lacks {needle}");
        }
        // ...and loads nothing: no external script, style or link.
        for banned in ["<script src", "<link", "@import", "http://", "https://"] {
            assert!(!html.contains(banned), "the page contains {banned}");
        }
    }
}

/// What the page does when Close is clicked, done by a client: call
/// `close_ticket`, then `ticket_board` again.
#[tokio::test]
async fn closing_a_ticket_takes_it_off_the_board() {
    for era in ERAS {
        let (_db, server) = desk();
        let c = connect(&server, era, true).await;
        assert!(board_ids(&c).await.contains(&42));
        let r = c
            .call_tool(
                "close_ticket",
                json!({"ticket_id": 42, "resolution": "Resolved from the ticket board."}),
            )
            .await
            .unwrap();
        assert_ne!(r.is_error, Some(true), "{}", tool_text(&r));
        assert_eq!(r.structured_content.unwrap()["status"], "closed");
        assert_eq!(
            board_ids(&c).await,
            (43..=49).collect::<Vec<_>>(),
            "{era:?}"
        );
        // A second close is refused with a reason the page shows.
        let again = c
            .call_tool("close_ticket", json!({"ticket_id": 42, "resolution": "x"}))
            .await
            .unwrap();
        common::assert_tool_error(&again, "already closed");
    }
}

/// Over Streamable HTTP the extension is read from `initialize` in a
/// session and from each request's `_meta` without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_each_era_sees_the_app_only_when_declared() {
    let (_db, server) = desk();
    let served = mcpwire_testkit::http::serve_mcp(server, HttpConfig::default()).await;
    for era in ERAS {
        for apps in [false, true] {
            let transport = HttpClientTransport::builder(served.mcp_url())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let c = builder(era, apps).connect(transport).await.unwrap();
            assert_eq!(c.era(), era);
            let tools = c.list_tools().await.unwrap();
            assert_eq!(board_tool(&tools).ui().is_some(), apps, "{era:?}");
            let r = c.call_tool("ticket_board", json!({})).await.unwrap();
            assert_eq!(
                tool_text(&r).starts_with("# Open tickets"),
                !apps,
                "{era:?}, apps {apps}"
            );
            c.close().await;
        }
    }
    served.stop().await.unwrap();
}
