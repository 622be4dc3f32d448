//! The CLI against a hostile HTTP server on 127.0.0.1:0, run in this
//! process: a redirect to another origin does not take the `-H` headers
//! along, and terminal control sequences in what the server sends are
//! shown escaped, not obeyed.

mod common;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcpwire::server::{Server, ToolRoute};
use mcpwire::transport::http_server::{HttpConfig, StreamableHttp};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Text {
    text: String,
}

/// Retitles the window, clears the screen, and returns the cursor to
/// overwrite the line, if a terminal obeys it.
const HOSTILE: &str = "title\x1b]0;pwned\x07 clear\x1b[2J cr\rend";
/// How [`HOSTILE`] is shown.
const ESCAPED: &str = "title\\x1b]0;pwned\\x07 clear\\x1b[2J cr\\rend";

/// The MCP server behind every [`Front`]: an `echo` tool; `pwn`, whose
/// description and result are [`HOSTILE`]; `fail`, whose error is.
fn server() -> Server {
    Server::builder("hostile-test", "1")
        .tool(ToolRoute::typed(
            "echo",
            |_cx, a: Text| async move { a.text },
        ))
        .tool(
            ToolRoute::typed("pwn", |_cx, _: Text| async move { HOSTILE.to_owned() })
                .description(HOSTILE),
        )
        .tool(ToolRoute::typed("fail", |_cx, _: Text| async move {
            Err::<String, _>(mcpwire::Error::invalid_params(HOSTILE))
        }))
        .build()
}

/// The paths and headers of the requests a [`Front`] received.
type Seen = Arc<Mutex<Vec<(String, hyper::HeaderMap)>>>;

/// A loopback server on a free port recording every request: the paths of
/// `redirects` answer `307` to their location, anything else goes to
/// `server`.
struct Front {
    port: u16,
    seen: Seen,
}

impl Front {
    async fn start(server: Server, redirects: Vec<(&'static str, String)>) -> Front {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Seen::default();
        let log = seen.clone();
        let mcp = StreamableHttp::new(server, HttpConfig::default());
        let redirects = Arc::new(redirects);
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (log, mcp, redirects) = (log.clone(), mcp.clone(), redirects.clone());
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (log, mcp, redirects) = (log.clone(), mcp.clone(), redirects.clone());
                    async move {
                        let path = req.uri().path().to_owned();
                        log.lock()
                            .unwrap()
                            .push((path.clone(), req.headers().clone()));
                        let r = match redirects.iter().find(|(p, _)| *p == path) {
                            Some((_, to)) => hyper::Response::builder()
                                .status(307)
                                .header("location", to)
                                .body(Full::new(Bytes::new()).boxed_unsync())
                                .unwrap(),
                            None => mcp.handle(req).await,
                        };
                        Ok::<_, std::convert::Infallible>(r)
                    }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(tcp), svc));
            }
        });
        Front { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The `x-secret` header of every request to `path`.
    fn secrets_at(&self, path: &str) -> Vec<Option<String>> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| {
                h.get("x-secret")
                    .map(|v| v.to_str().unwrap_or_default().to_owned())
            })
            .collect()
    }
}

/// Runs `mcpwire ARGS` without blocking the servers of this process.
async fn mcpwire(args: Vec<String>) -> common::Run {
    tokio::task::spawn_blocking(move || common::mcpwire(args))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_values_stay_with_the_origin_they_were_given_for() {
    let b = Front::start(server(), vec![]).await;
    let a = Front::start(server(), vec![("/mcp", b.url())]).await;
    let h = || vec!["-H".to_owned(), "X-Secret: s3cret".to_owned()];
    let run = mcpwire([vec!["tools".into(), a.url()], h()].concat()).await;
    let run = run.expect(3);
    assert!(run.stderr.contains("another origin"), "{run:#?}");
    assert!(b.paths().is_empty(), "B received {:?}", b.paths());
    assert_eq!(a.secrets_at("/mcp")[0].as_deref(), Some("s3cret"));

    // Within one origin the redirect is followed, the header with it.
    let c = Front::start(server(), vec![("/mcp", "/moved".to_owned())]).await;
    let run = mcpwire([vec!["tools".into(), c.url()], h()].concat()).await;
    let run = run.expect(0);
    assert!(run.stdout.contains("echo"), "{run:#?}");
    let moved = c.secrets_at("/moved");
    assert!(!moved.is_empty(), "{:?}", c.paths());
    assert!(
        moved.iter().all(|s| s.as_deref() == Some("s3cret")),
        "{moved:?}"
    );
    // B serves whoever goes there directly.
    let run = mcpwire([vec!["tools".into(), b.url()], h()].concat()).await;
    assert!(run.expect(0).stdout.contains("echo"));
}

/// Whether `s` holds a control character a terminal would act on.
fn raw_controls(s: &str) -> bool {
    s.contains(['\x1b', '\x07', '\r'])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_sequences_from_the_server_are_shown_escaped() {
    let s = Front::start(server(), vec![]).await;
    let url = s.url();
    let run = |args: &[&str]| mcpwire(args.iter().map(|a| (*a).to_owned()).collect());

    // A tool's description in the listing.
    let listed = run(&["tools", &url]).await.expect(0);
    assert!(!raw_controls(&listed.stdout), "{listed:#?}");
    assert!(listed.stdout.contains(ESCAPED), "{listed:#?}");
    // A tool's result.
    let called = run(&["call", &url, "pwn", "text=x"]).await.expect(0);
    assert!(!raw_controls(&called.stdout), "{called:#?}");
    assert!(called.stdout.contains(ESCAPED), "{called:#?}");
    // An error the server answers with, on stderr.
    let failed = run(&["call", &url, "fail", "text=x"]).await.expect(4);
    assert!(!raw_controls(&failed.stderr), "{failed:#?}");
    assert!(failed.stderr.contains(ESCAPED), "{failed:#?}");

    // --json stays exact: JSON escapes the controls, and they parse back.
    let listed = run(&["--json", "tools", &url]).await.expect(0);
    assert!(!raw_controls(&listed.stdout), "{listed:#?}");
    let tools = listed.json()["tools"].as_array().unwrap().clone();
    let pwn = tools.iter().find(|t| t["name"] == "pwn").unwrap();
    assert_eq!(pwn["description"], HOSTILE);
    let called = run(&["--json", "call", &url, "pwn", "text=x"])
        .await
        .expect(0);
    assert_eq!(called.json()["content"][0]["text"], HOSTILE);

    // The server still answers plain requests.
    let echoed = run(&["call", &url, "echo", "text=hello"]).await.expect(0);
    assert_eq!(echoed.stdout.trim(), "hello");
}
