//! The envelope against the results it wraps: typed, `Value`s, shared
//! pages, and what a result sets itself.

use super::*;
use mcpwire_types::{CacheScope, ContentBlock, ResultType};
use serde_json::json;

fn server() -> crate::Server {
    crate::Server::builder("desk", "1.2.0").build().unwrap()
}

/// The JSON of `body` in the envelope, parsed back.
fn wrap<T: Serialize>(body: T, cache: Option<CacheHint>) -> Value {
    let text = serde_json::to_string(&Enveloped {
        body,
        info: server(),
        cache,
    })
    .unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn info() -> Value {
    json!({"name": "desk", "version": "1.2.0"})
}

#[test]
fn a_typed_result_gets_every_member_it_lacks() {
    let r = CallToolResult::new(vec![ContentBlock::text("hi")]);
    let hint = CacheHint::new(5000, CacheScope::Private);
    let v = wrap(&r, Some(hint));
    assert_eq!(v["resultType"], "complete");
    assert_eq!(v["_meta"], json!({ meta::SERVER_INFO: info() }));
    assert_eq!(v["ttlMs"], 5000);
    assert_eq!(v["cacheScope"], json!(CacheScope::Private));
    assert_eq!(v["content"][0]["text"], "hi");
    let v = wrap(&r, None);
    assert!(
        v.get("ttlMs").is_none() && v.get("cacheScope").is_none(),
        "{v}"
    );
}

#[test]
fn what_the_result_sets_itself_wins_and_its_meta_is_merged() {
    let mut r = CallToolResult::new(vec![]);
    r.meta = Some(serde_json::from_value(json!({"trace": "t-1"})).unwrap());
    let v = wrap(&r, None);
    assert_eq!(
        v["_meta"],
        json!({"trace": "t-1", meta::SERVER_INFO: info()})
    );
    let own = json!({
        "resultType": "complete",
        "ttlMs": 7,
        "_meta": { meta::SERVER_INFO: {"name": "other"} },
        "x": 1
    });
    let v = wrap(&own, Some(CacheHint::new(5000, CacheScope::Public)));
    assert_eq!(v["ttlMs"], 7);
    assert_eq!(v["cacheScope"], json!(CacheScope::Public));
    assert_eq!(v["_meta"], json!({ meta::SERVER_INFO: {"name": "other"} }));
    assert_eq!(v["x"], 1);
}

#[test]
fn a_result_that_is_not_complete_carries_no_cache_hint() {
    let mut r = CallToolResult::new(vec![]);
    r.result_type = Some(ResultType::InputRequired);
    let v = wrap(&r, Some(CacheHint::new(5000, CacheScope::Public)));
    assert_eq!(v["resultType"], "input_required");
    assert!(v.get("ttlMs").is_none(), "{v}");
    let v = wrap(
        json!({"resultType": "input_required"}),
        Some(CacheHint::new(1, CacheScope::Public)),
    );
    assert!(v.get("cacheScope").is_none(), "{v}");
}

#[test]
fn empty_objects_and_odd_metas_stay_valid_json() {
    let v = wrap(json!({}), None);
    assert_eq!(
        v,
        json!({"resultType": "complete", "_meta": { meta::SERVER_INFO: info() }})
    );
    #[derive(serde::Serialize)]
    struct Empty {}
    assert_eq!(wrap(Empty {}, None)["resultType"], "complete");
    // A `_meta` that is not an object is left as the result wrote it.
    assert_eq!(wrap(json!({"_meta": null}), None)["_meta"], Value::Null);
    // A result that is not an object is written as it is.
    assert_eq!(wrap(json!([1, 2]), None), json!([1, 2]));
}

#[test]
fn a_shared_page_is_written_as_it_is_kept() {
    let page = Arc::new(json!({"tools": [], "nextCursor": "2"}));
    let v = wrap(Body::Shared(page.clone()), None);
    assert_eq!(v["nextCursor"], "2");
    assert_eq!(v["resultType"], "complete");
    assert_eq!(*page, json!({"tools": [], "nextCursor": "2"}));
}
