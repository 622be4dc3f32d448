//! `Client::paginate::<R>` and the `list_*` listings built on it, against
//! a raw server: pages in order in both eras, and the bounds that stop a
//! server whose cursors repeat or never end.

mod support;

use std::time::Duration;

use mcpwire_client::{Client, DEFAULT_MAX_PAGES, PaginationError};
use mcpwire_rpc::Error;
use mcpwire_rpc::engine::RequestOptions;
use mcpwire_types::request::requests::ListTools;
use serde_json::{Value, json};
use support::{
    RawServer, each_era, plain_request_is_served, session, session_with, stateless, tools_page,
};

fn names(tools: &[mcpwire_types::Tool]) -> Vec<&str> {
    tools.iter().map(|t| t.name.as_str()).collect()
}

/// Serves `tools/list` pages in order: each entry is the cursor the
/// request must carry and the page to answer with.
async fn serve_pages(raw: &mut RawServer, pages: &[(Option<&str>, Value)]) {
    for (cursor, page) in pages {
        let request = raw.serve("tools/list", page.clone()).await;
        assert_eq!(
            request["params"].get("cursor").and_then(Value::as_str),
            *cursor,
            "{request}"
        );
    }
}

#[tokio::test]
async fn every_page_is_followed_in_order_in_both_eras() {
    for (era, client, mut raw) in each_era().await {
        let (all, ()) = tokio::join!(
            client.paginate::<ListTools>().pages().collect_all(),
            async {
                serve_pages(
                    &mut raw,
                    &[
                        (None, tools_page(&["a", "b"], Some("c1"))),
                        (Some("c1"), tools_page(&["c"], Some("c2"))),
                        (Some("c2"), tools_page(&["d"], None)),
                    ],
                )
                .await;
            }
        );
        assert_eq!(names(&all.unwrap()), ["a", "b", "c", "d"], "{era}");
        plain_request_is_served(&client, &mut raw).await;
    }
}

#[tokio::test]
async fn stateless_pages_carry_the_eras_meta_and_their_cursor() {
    let (client, mut raw) = stateless().await;
    let prompt = |n: &str| json!({"name": n});
    let (all, ()) = tokio::join!(client.list_prompts(), async {
        let first = raw
            .serve(
                "prompts/list",
                json!({"prompts": [prompt("p1")], "nextCursor": "x"}),
            )
            .await;
        assert!(first["params"].get("cursor").is_none(), "{first}");
        let second = raw
            .serve("prompts/list", json!({"prompts": [prompt("p2")]}))
            .await;
        assert_eq!(second["params"]["cursor"], "x");
        for r in [&first, &second] {
            assert_eq!(
                r["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"], "2026-07-28",
                "{r}"
            );
        }
    });
    let all = all.unwrap();
    assert_eq!(
        all.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["p1", "p2"]
    );
}

#[tokio::test]
async fn next_page_yields_each_page_then_none_without_asking_again() {
    let (client, mut raw) = session().await;
    let mut pages = client.paginate::<ListTools>().pages();
    let (first, ()) = tokio::join!(pages.next_page(), async {
        serve_pages(&mut raw, &[(None, tools_page(&["a"], Some("c1")))]).await;
    });
    assert_eq!(names(&first.unwrap().unwrap().tools), ["a"]);
    let (second, ()) = tokio::join!(pages.next_page(), async {
        serve_pages(&mut raw, &[(Some("c1"), tools_page(&["b"], None))]).await;
    });
    assert_eq!(names(&second.unwrap().unwrap().tools), ["b"]);
    assert_eq!(pages.pages_fetched(), 2);
    assert!(pages.next_page().await.unwrap().is_none());
    assert!(pages.next_page().await.unwrap().is_none());
    // Nothing was sent for the calls after the last page: the next frame
    // the server sees is the plain request.
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn a_cursor_the_server_repeats_stops_the_walk_with_a_typed_error() {
    let (client, mut raw) = session().await;
    // c1 -> c2 -> c1: a loop that is not two equal cursors in a row.
    let (all, ()) = tokio::join!(
        client.paginate::<ListTools>().pages().collect_all(),
        async {
            serve_pages(
                &mut raw,
                &[
                    (None, tools_page(&["a"], Some("c1"))),
                    (Some("c1"), tools_page(&["b"], Some("c2"))),
                    (Some("c2"), tools_page(&["c"], Some("c1"))),
                ],
            )
            .await;
        }
    );
    match all {
        Err(PaginationError::RepeatedCursor { method, page }) => {
            assert_eq!(method, "tools/list");
            assert_eq!(page, 3);
        }
        other => panic!("expected a repeated cursor, got {other:?}"),
    }
    // No fourth page was asked for.
    plain_request_is_served(&client, &mut raw).await;

    // The same cursor twice in a row, through list_tools.
    let (all, ()) = tokio::join!(client.list_tools(), async {
        serve_pages(
            &mut raw,
            &[
                (None, tools_page(&["a"], Some("same"))),
                (Some("same"), tools_page(&["b"], Some("same"))),
            ],
        )
        .await;
    });
    match all {
        Err(Error::Protocol(m)) => assert!(m.contains("had given before"), "{m}"),
        other => panic!("expected a protocol error, got {other:?}"),
    }
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn next_page_yields_the_page_with_a_repeated_cursor_then_the_error() {
    let (client, mut raw) = session().await;
    let mut pages = client.paginate::<ListTools>().start_after("c5").pages();
    let (page, ()) = tokio::join!(pages.next_page(), async {
        serve_pages(&mut raw, &[(Some("c5"), tools_page(&["x"], Some("c5")))]).await;
    });
    // The page itself is good; following its cursor is what would loop.
    assert_eq!(names(&page.unwrap().unwrap().tools), ["x"]);
    assert!(matches!(
        pages.next_page().await,
        Err(PaginationError::RepeatedCursor { page: 1, .. })
    ));
    assert!(pages.next_page().await.unwrap().is_none());
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn endless_cursors_hit_the_page_bound() {
    let (client, mut raw) = session().await;
    let mut pages = client.paginate::<ListTools>().max_pages(5).pages();
    let (collected, ()) = tokio::join!(
        async {
            let mut seen = Vec::new();
            loop {
                match pages.next_page().await {
                    Ok(Some(p)) => seen.extend(p.tools.into_iter().map(|t| t.name)),
                    Ok(None) => return Ok(seen),
                    Err(e) => return Err((seen, e)),
                }
            }
        },
        async {
            for i in 0..5 {
                let next = format!("n{}", i + 1);
                let request = raw
                    .serve("tools/list", tools_page(&["t"], Some(&next)))
                    .await;
                if i > 0 {
                    assert_eq!(request["params"]["cursor"], format!("n{i}"));
                }
            }
        }
    );
    let (seen, e) = collected.unwrap_err();
    // The pages that came before the bound were handed over.
    assert_eq!(seen.len(), 5);
    assert!(matches!(
        e,
        PaginationError::TooManyPages {
            method: "tools/list",
            max_pages: 5
        }
    ));
    assert!(e.to_string().contains("Listing::max_pages"), "{e}");
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(pages.pages_fetched(), 5);
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn list_tools_stops_at_the_default_page_bound() {
    let (client, mut raw) = session().await;
    let (all, served) = tokio::join!(client.list_tools(), async {
        let mut served = 0;
        // Each page points at a fresh one, forever; the client stops
        // asking after its bound.
        loop {
            let request = raw.recv().await;
            if request["method"] != "tools/list" {
                break (served, request);
            }
            served += 1;
            let next = format!("p{served}");
            raw.reply(&request, tools_page(&[], Some(&next))).await;
            if served == DEFAULT_MAX_PAGES {
                break (served, Value::Null);
            }
        }
    });
    let (served, stray) = served;
    assert_eq!(stray, Value::Null, "an unexpected request");
    assert_eq!(served, DEFAULT_MAX_PAGES);
    match all {
        Err(Error::Protocol(m)) => {
            assert!(
                m.contains(&format!("after {DEFAULT_MAX_PAGES} pages")),
                "{m}"
            )
        }
        other => panic!("expected the page bound, got {other:?}"),
    }
    plain_request_is_served(&client, &mut raw).await;
}

#[tokio::test]
async fn a_page_that_failed_can_be_asked_for_again() {
    for (era, client, mut raw) in each_era().await {
        let mut pages = client.paginate::<ListTools>().pages();
        let (first, ()) = tokio::join!(pages.next_page(), async {
            serve_pages(&mut raw, &[(None, tools_page(&["a"], Some("c1")))]).await;
        });
        assert_eq!(names(&first.unwrap().unwrap().tools), ["a"], "{era}");
        let (failed, ()) = tokio::join!(pages.next_page(), async {
            let request = raw.expect("tools/list").await;
            assert_eq!(request["params"]["cursor"], "c1");
            raw.reply_error(&request, -32602, "Invalid cursor").await;
        });
        match failed {
            Err(PaginationError::Request(Error::Rpc(e))) => {
                assert_eq!(e.message, "Invalid cursor", "{era}")
            }
            other => panic!("{era}: expected the server's error, got {other:?}"),
        }
        // The walk is where it was: the same page is asked for again.
        let (second, ()) = tokio::join!(pages.next_page(), async {
            serve_pages(&mut raw, &[(Some("c1"), tools_page(&["b"], None))]).await;
        });
        assert_eq!(names(&second.unwrap().unwrap().tools), ["b"], "{era}");
        assert_eq!(pages.pages_fetched(), 2, "{era}");
        assert!(pages.next_page().await.unwrap().is_none());
        plain_request_is_served(&client, &mut raw).await;
    }
}

#[tokio::test(start_paused = true)]
async fn each_page_waits_no_longer_than_its_timeout() {
    let (client, mut raw) = session().await;
    let opts = RequestOptions::new().timeout(Duration::from_secs(3));
    let mut pages = client.paginate::<ListTools>().options(opts).pages();
    let (r, ()) = tokio::join!(pages.next_page(), async {
        raw.expect("tools/list").await;
        raw.expect("notifications/cancelled").await;
    });
    assert!(
        matches!(r, Err(PaginationError::Request(Error::Timeout { .. }))),
        "{r:?}"
    );
    let (r, ()) = tokio::join!(pages.next_page(), async {
        serve_pages(&mut raw, &[(None, tools_page(&["a"], None))]).await;
    });
    assert_eq!(names(&r.unwrap().unwrap().tools), ["a"]);
}

#[tokio::test]
async fn skills_listing_stops_on_a_repeated_cursor_and_ends_on_an_empty_one() {
    let caps = json!({"extensions": {"io.modelcontextprotocol/skills": {}}});
    let (client, mut raw) = session_with(Client::builder("typed-test", "1"), caps).await;
    let skills = client.skills();
    let (r, ()) = tokio::join!(skills.list(), async {
        raw.serve("skills/list", json!({"skills": [], "nextCursor": "k1"}))
            .await;
        raw.serve("skills/list", json!({"skills": [], "nextCursor": "k2"}))
            .await;
        raw.serve("skills/list", json!({"skills": [], "nextCursor": "k1"}))
            .await;
    });
    let e = r.unwrap_err();
    assert!(e.to_string().contains("skills/list: page 3"), "{e}");

    let (r, ()) = tokio::join!(skills.list(), async {
        raw.serve("skills/list", json!({"skills": [], "nextCursor": "k1"}))
            .await;
        raw.serve("skills/list", json!({"skills": [], "nextCursor": ""}))
            .await;
    });
    assert!(r.unwrap().is_empty());
    plain_request_is_served(&client, &mut raw).await;
}
