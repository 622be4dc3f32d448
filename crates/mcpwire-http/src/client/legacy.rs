//! The fallback to the deprecated HTTP+SSE transport (protocol 2024-11-05):
//! a GET event stream whose first event, `endpoint`, names the URI to POST
//! messages to; every server message arrives on that stream.

use std::sync::Arc;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};

use super::post::request;
use super::response::{error_chain, error_excerpt, has_content_type};
use super::shared::{EVENT_STREAM, Shared};
use super::sse::{SseItem, SseParser};
use super::stream::read_events;

/// Opens the legacy event stream, waits for its `endpoint` event, switches
/// the transport to POST there, and keeps reading the stream in a task.
/// Returns why it failed otherwise.
pub(super) async fn connect(sh: &Arc<Shared>) -> Result<(), String> {
    let (mut headers, _, _) = sh.headers(false);
    headers.insert(ACCEPT, HeaderValue::from_static(EVENT_STREAM));
    let url = &sh.cfg.url;
    let mut resp = request(sh, Method::GET, url, headers, None, 1)
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    if !status.is_success() {
        let body = error_excerpt(resp).await;
        return Err(format!("GET {url} answered HTTP {status}: {body}"));
    }
    if !has_content_type(&resp, EVENT_STREAM) {
        return Err(format!("GET {url} did not answer with an event stream"));
    }
    let mut parser = SseParser::new(sh.cfg.max_message);
    let mut items = Vec::new();
    let first = async {
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => parser.push(&chunk, &mut items),
                Ok(None) => {
                    return Err("the event stream ended before its endpoint event".to_owned());
                }
                Err(e) => return Err(format!("the event stream broke: {}", error_chain(&e))),
            }
            if !items.is_empty() {
                return Ok(());
            }
        }
    };
    tokio::time::timeout(sh.cfg.timeout, first)
        .await
        .map_err(|_| format!("no endpoint event within {:?}", sh.cfg.timeout))??;
    let mut rest = items.drain(..);
    let endpoint = match rest.next() {
        Some(SseItem::Event(ev)) if ev.event == "endpoint" => {
            String::from_utf8_lossy(&ev.data).trim().to_owned()
        }
        Some(SseItem::Event(ev)) => {
            return Err(format!("the first event is {:?}, not endpoint", ev.event));
        }
        _ => return Err("the endpoint event is too large".to_owned()),
    };
    let post = url
        .join(&endpoint)
        .map_err(|e| format!("the endpoint {endpoint:?} is not a valid URI: {e}"))?;
    // Custom headers (credentials) must not be sent to another origin.
    if post.origin() != url.origin() {
        return Err(format!(
            "the endpoint {post} is on another origin than {url}; refusing to send messages there"
        ));
    }
    tracing::info!(endpoint = %post, "using the legacy HTTP+SSE transport");
    let early: Vec<SseItem> = rest.collect();
    {
        let mut st = sh.state();
        st.legacy_post = Some(post);
        st.mode_known = true;
    }
    let sh = sh.clone();
    tokio::spawn(async move {
        let listen = async {
            for item in early {
                if let SseItem::Event(ev) = item
                    && ev.is_message()
                    && !ev.data.is_empty()
                {
                    sh.deliver(Bytes::from(ev.data));
                }
            }
            read_events(&sh, &mut resp, &mut parser).await
        };
        tokio::select! {
            biased;
            _ = sh.closed.cancelled() => {}
            ended = listen => {
                // The legacy transport has no resumption: the session is gone.
                sh.end(format!("the legacy HTTP+SSE event stream ended: {}", ended.cause));
            }
        }
    });
    Ok(())
}
