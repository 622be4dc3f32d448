//! The inspector's HTTP surface: the guard in front of everything, the
//! page and its files, and the JSON endpoints the page calls.
//!
//! | method and path | what it does |
//! |---|---|
//! | `GET /?token=…` | trades the launch token for the cookie, then `303 /` |
//! | `GET /`, `GET /ui/…` | the page and its modules |
//! | `GET /api/servers` | the servers and the config entries offered |
//! | `POST /api/servers` | connects to `{"url"}`, `{"command","args"}` or `{"config"}` |
//! | `DELETE /api/servers/ID` | disconnects |
//! | `POST /api/servers/ID/reconnect` | connects the same target again in era `{"mode"}`, then disconnects the old one |
//! | `GET /api/servers/ID/log` | the protocol log, as a JSON array |
//! | `GET /api/servers/ID/oauth` | the steps of its OAuth login (see [`oauth`](crate::oauth)) |
//! | `POST /api/servers/ID/oauth/refresh` | refreshes its access token now |
//! | `GET /oauth/callback` | the OAuth redirect URI: open without the token, for a waiting login's `state` only |
//! | `… /api/servers/ID/…` | what the page does with the server (see [`ops`](crate::ops)) |
//! | `GET /api/asks` | the servers' open questions (see [`asks`](crate::asks)) |
//! | `POST /api/asks/ID` | answers one: `{"result"}` or `{"refuse"}` |
//! | `GET /api/events` | the live feed (Server-Sent Events) |

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, LOCATION, SET_COOKIE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::asks::Answer;
use crate::assets;
use crate::events::EventBody;
use crate::guard::Access;
use crate::servers::{Mode, Target};

/// The body of every answer: a whole body, or the event stream.
pub type ApiBody = Either<Full<Bytes>, EventBody>;

/// What the page may load, and from where: only the inspector itself
/// (images and audio of tool results arrive as `data:` URLs), and frames
/// of MCP Apps from `app_origin`.
pub(crate) fn page_csp(app_origin: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' data:; media-src 'self' data:; frame-src {app_origin}; \
         object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// Answers a request on the app origin: `GET /app/NAME` serves a
/// registered app document once, with its own policy; anything else, or
/// a `Host` other than the app origin's, is refused.
pub(crate) async fn app_document(
    app: Arc<App>,
    req: Request<Incoming>,
) -> Result<Response<ApiBody>, Infallible> {
    let host_ok = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| app.app_origin.strip_prefix("http://") == Some(h));
    if !host_ok {
        return Ok(text(StatusCode::FORBIDDEN, "wrong Host"));
    }
    let name = req.uri().path().strip_prefix("/app/").unwrap_or_default();
    let found = (req.method() == Method::GET)
        .then(|| app.app_docs.take(name))
        .flatten();
    let Some((html, csp)) = found else {
        return Ok(text(
            StatusCode::NOT_FOUND,
            "no such app document (each is served once)",
        ));
    };
    let mut r = Response::new(Either::Left(Full::new(Bytes::from(html))));
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert("content-security-policy", v);
    }
    Ok(r)
}

/// The page the browser shows after an OAuth login.
const CALLBACK_DONE: &str = "<!doctype html><title>Authorized</title>\
    <p>The authorization is complete: the inspector goes on with it. You can close this tab.</p>";

/// Answers one request.
pub(crate) async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
) -> Result<Response<ApiBody>, Infallible> {
    let mut res = match app.guard.check(&req) {
        Err(refusal) => text(
            StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN),
            refusal.reason(),
        ),
        Ok(Access::Exchange) => {
            let mut r = text(StatusCode::SEE_OTHER, "on to the inspector");
            r.headers_mut()
                .insert(LOCATION, HeaderValue::from_static("/"));
            if let Ok(v) = HeaderValue::from_str(&app.guard.set_cookie()) {
                r.headers_mut().insert(SET_COOKIE, v);
            }
            r
        }
        Ok(Access::Granted) => route(&app, req).await,
        Ok(Access::Callback) => match app.logins.callback(req.uri().query()) {
            Ok(()) => html(StatusCode::OK, CALLBACK_DONE),
            Err(e) => text(StatusCode::BAD_REQUEST, &e.to_string()),
        },
    };
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("content-security-policy", app.csp.clone());
    Ok(res)
}

/// Routes a request that passed the guard.
async fn route(app: &App, req: Request<Incoming>) -> Response<ApiBody> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (&method, parts.as_slice()) {
        (&Method::GET, [""]) => asset("index.html"),
        (&Method::GET, ["ui", file]) => asset(file),
        (&Method::GET, ["api", "servers"]) => {
            let servers: Vec<Value> = app.servers.all().iter().map(|s| s.summary()).collect();
            let config: Vec<Value> = app
                .entries
                .iter()
                .map(|(name, t)| json!({"name": name, "target": t.describe()}))
                .collect();
            ok_json(&json!({"servers": servers, "config": config}))
        }
        (&Method::POST, ["api", "servers"]) => match read_json::<Connect>(app, req).await {
            Ok(c) => connect(app, c),
            Err(r) => r,
        },
        (&Method::GET, ["api", "events"]) => match app.events.subscribe() {
            Some(body) => {
                let mut r = Response::new(Either::Right(body));
                r.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
                r
            }
            None => error(
                StatusCode::TOO_MANY_REQUESTS,
                "too many pages are open on this inspector",
            ),
        },
        (&Method::GET, ["api", "asks"]) => ok_json(&json!({"asks": app.asks.open()})),
        (&Method::POST, ["api", "asks", id]) => {
            let Ok(id) = id.parse::<u64>() else {
                return error(StatusCode::NOT_FOUND, "no such question");
            };
            let answer = match read_json::<AnswerBody>(app, req).await {
                Ok(AnswerBody {
                    result: Some(v),
                    refuse: None,
                }) => Answer::Result(v),
                Ok(AnswerBody {
                    result: None,
                    refuse: Some(why),
                }) => Answer::Refuse(why),
                Ok(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "give one of \"result\" or \"refuse\"",
                    );
                }
                Err(r) => return r,
            };
            match app.asks.answer(id, answer) {
                Ok(()) => ok_json(&json!({"answered": id})),
                Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
            }
        }
        (_, ["api", "servers", id, rest @ ..]) => {
            let Some(slot) = id.parse().ok().and_then(|id| app.servers.get(id)) else {
                return error(StatusCode::NOT_FOUND, "no such server");
            };
            match (&method, rest) {
                (&Method::DELETE, []) => {
                    app.servers.remove(slot.id).await;
                    ok_json(&json!({"removed": slot.id}))
                }
                (&Method::GET, ["log"]) => raw_json(StatusCode::OK, slot.log.to_json()),
                (&Method::GET, ["oauth"]) => match slot.auth() {
                    Some(a) => ok_json(&a.to_json()),
                    None => ok_json(&json!({"steps": [], "authorize": null})),
                },
                (&Method::POST, ["oauth", "refresh"]) => match slot.auth() {
                    Some(a) => match a.refresh().await {
                        Ok(refreshed) => ok_json(&json!({ "refreshed": refreshed })),
                        Err(e) => error(StatusCode::BAD_GATEWAY, &e.to_string()),
                    },
                    None => error(StatusCode::NOT_FOUND, "this server does not use OAuth"),
                },
                (&Method::POST, ["reconnect"]) => match read_json::<Reconnect>(app, req).await {
                    Ok(r) => match Mode::parse(&r.mode) {
                        Some(mode) => match app.servers.reconnect(slot.id, mode).await {
                            Some(Ok(id)) => ok_json(&json!({ "id": id })),
                            Some(Err(e)) => error(StatusCode::TOO_MANY_REQUESTS, &e.to_string()),
                            None => error(StatusCode::NOT_FOUND, "no such server"),
                        },
                        None => error(StatusCode::BAD_REQUEST, "mode is auto, legacy or modern"),
                    },
                    Err(r) => r,
                },
                _ => crate::ops::route(app, slot, &method, rest, req).await,
            }
        }
        _ => error(StatusCode::NOT_FOUND, "no such page"),
    }
}

/// `POST /api/servers`: one of a URL, a command or a config entry.
#[derive(Debug, Deserialize)]
struct Connect {
    url: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: Vec<(String, String)>,
    config: Option<String>,
    #[serde(default)]
    mode: Option<String>,
}

/// `POST /api/servers/ID/reconnect`: the same target in another era.
#[derive(Debug, Deserialize)]
struct Reconnect {
    mode: String,
}

/// `POST /api/asks/ID`: the result to send back, or a refusal.
#[derive(Debug, Deserialize)]
struct AnswerBody {
    result: Option<Value>,
    refuse: Option<String>,
}

fn connect(app: &App, c: Connect) -> Response<ApiBody> {
    let mode = match c.mode.as_deref() {
        None => Mode::Auto,
        Some(m) => match Mode::parse(m) {
            Some(m) => m,
            None => return error(StatusCode::BAD_REQUEST, "mode is auto, legacy or modern"),
        },
    };
    let (label, target) = match (c.url, c.command, c.config) {
        (Some(url), None, None) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "the URL must be http:// or https://",
                );
            }
            (
                url.clone(),
                Target::Http {
                    url,
                    headers: c.headers,
                },
            )
        }
        (None, Some(program), None) if !program.trim().is_empty() => {
            let target = Target::Stdio {
                program,
                args: c.args,
                env: c.env,
            };
            (target.describe(), target)
        }
        (None, None, Some(name)) => match app.entries.iter().find(|(n, _)| *n == name) {
            Some((n, t)) => (n.clone(), t.clone()),
            None => return error(StatusCode::NOT_FOUND, "no such config entry"),
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "give one of \"url\", \"command\" or \"config\"",
            );
        }
    };
    match app.servers.add(label, target, mode) {
        Ok(id) => {
            let mut r = ok_json(&json!({ "id": id }));
            *r.status_mut() = StatusCode::ACCEPTED;
            r
        }
        Err(e) => error(StatusCode::TOO_MANY_REQUESTS, &e.to_string()),
    }
}

/// Reads a JSON body of at most the limit's size.
pub(crate) async fn read_json<T: for<'de> Deserialize<'de>>(
    app: &App,
    req: Request<Incoming>,
) -> Result<T, Response<ApiBody>> {
    let max = app.limits.max_body;
    let body = Limited::new(req.into_body(), max)
        .collect()
        .await
        .map_err(|_| {
            error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("request bodies are limited to {max} bytes"),
            )
        })?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("not the expected JSON: {e}"),
        )
    })
}

fn asset(name: &str) -> Response<ApiBody> {
    match assets::find(name) {
        Some((bytes, kind)) => {
            let mut r = Response::new(Either::Left(Full::new(Bytes::from_static(bytes))));
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
            r
        }
        None => error(StatusCode::NOT_FOUND, "no such file"),
    }
}

pub(crate) fn ok_json(v: &Value) -> Response<ApiBody> {
    raw_json(StatusCode::OK, v.to_string())
}

pub(crate) fn raw_json(status: StatusCode, body: String) -> Response<ApiBody> {
    let mut r = Response::new(Either::Left(Full::new(Bytes::from(body))));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub(crate) fn error(status: StatusCode, message: &str) -> Response<ApiBody> {
    raw_json(status, json!({ "error": message }).to_string())
}

fn html(status: StatusCode, page: &'static str) -> Response<ApiBody> {
    let mut r = Response::new(Either::Left(Full::new(Bytes::from_static(page.as_bytes()))));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn text(status: StatusCode, message: &str) -> Response<ApiBody> {
    let mut r = Response::new(Either::Left(Full::new(Bytes::from(message.to_owned()))));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
