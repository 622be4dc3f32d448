//! `mcpwire serve support-desk --http ADDR --auth-*` through the real
//! binary: the bearer-token challenge, the protected resource metadata,
//! calls with good and bad tokens, the caller recorded on the ticket, and
//! the usage errors of incomplete flags; and `proxy --listen` behind the
//! same flags.
//!
//! Each run signs with a fresh Ed25519 key whose JWKS is written to the
//! target's temporary folder: no key is kept in the repository.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{Server, mcpwire};
use mcpwire_testkit::http::child::child_addr;
use mcpwire_testkit::oauth::{self, ISSUER, now, sign};
use serde_json::{Value, json};

fn temp_dir() -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-serve-auth");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A signing key (the testkit's Ed25519 one, kid `k1`) and the JWKS file
/// of its public half.
struct Keys {
    keys: oauth::Keys,
    jwks: PathBuf,
}

impl Keys {
    fn new(name: &str) -> Keys {
        let keys = oauth::Keys::new();
        let doc = json!({"keys": [keys.ed_jwk("k1")]});
        let jwks = temp_dir().join(format!("{name}-{}.jwks.json", std::process::id()));
        std::fs::write(&jwks, doc.to_string()).unwrap();
        Keys { keys, jwks }
    }

    /// A token for `aud` with `sub` and `scope`.
    fn token(&self, aud: &str, sub: &str, scope: &str) -> String {
        let claims = json!({"iss": ISSUER, "aud": aud, "sub": sub, "scope": scope,
            "iat": now(), "exp": now() + 300});
        sign(&self.keys, "EdDSA", "k1", &claims)
    }
}

/// A protected support desk on a free port, behind tokens signed by a key
/// of `jwks` (a file or URL) for its own /mcp URL, requiring `mcp:tools`.
fn start_desk(jwks: &std::ffi::OsStr, db: &std::path::Path) -> Server {
    start_desk_with(jwks, db, &[])
}

/// [`start_desk`] with more flags.
fn start_desk_with(jwks: &std::ffi::OsStr, db: &std::path::Path, extra: &[&str]) -> Server {
    Server::listen(|addr| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
        c.args(["serve", "support-desk", "--db"])
            .arg(db)
            .args(["--http", &addr.to_string(), "--auth-jwks"])
            .arg(jwks)
            .args(["--auth-issuer", ISSUER, "--auth-audience"])
            .arg(format!("http://{addr}/mcp"))
            .args(["--auth-scope", "mcp:tools"])
            .args(extra);
        c
    })
}

/// One HTTP/1.1 exchange: the status, the headers (names lowercased) and
/// the body.
fn http(addr: SocketAddr, request: &str) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status.parse().unwrap(), headers, body.to_owned())
}

/// Serves `doc` to every GET on `127.0.0.1:0`, counting the requests.
fn serve_jwks(doc: String) -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("binding 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{doc}",
                    doc.len()
                )
                .as_bytes(),
            );
        }
    });
    (addr, hits)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An `initialize` POST, with `token` when given.
fn initialize(addr: SocketAddr, token: Option<&str>) -> (u16, Vec<(String, String)>, String) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}})
    .to_string();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    http(
        addr,
        &format!(
            "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\n{auth}Content-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[test]
fn the_protected_desk_challenges_serves_metadata_and_takes_good_tokens_only() {
    let keys = Keys::new("desk");
    let db = temp_dir().join(format!("desk-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let desk = start_desk(keys.jwks.as_os_str(), &db);
    let url = desk.url();
    let prm = format!(
        "http://{}/.well-known/oauth-protected-resource/mcp",
        desk.addr
    );

    // No token: 401 pointing at the metadata, with the required scope.
    let (status, headers, _) = initialize(desk.addr, None);
    assert_eq!(status, 401);
    let challenge = header(&headers, "www-authenticate").expect("a challenge");
    assert!(
        challenge.contains(&format!("resource_metadata=\"{prm}\"")),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"mcp:tools\""), "{challenge}");

    // The metadata names the issuer and the audience, without a token.
    let (status, _, body) = http(
        desk.addr,
        &format!(
            "GET /.well-known/oauth-protected-resource/mcp HTTP/1.1\r\nHost: {}\r\n\
             Connection: close\r\n\r\n",
            desk.addr
        ),
    );
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["resource"], url);
    assert_eq!(doc["authorization_servers"], json!([ISSUER]));
    assert_eq!(doc["scopes_supported"], json!(["mcp:tools"]));

    // A good token lists the tools.
    let token = keys.token(&url, "alice", "mcp:tools");
    let bearer = format!("Authorization: Bearer {token}");
    let run = mcpwire(["--json", "tools", &url, "--header", &bearer]).expect(0);
    assert!(run.stdout.contains("close_ticket"), "{run:#?}");

    // A token for another audience, or without the scope, is refused.
    let other_server = mcpwire_testkit::http::child::refused_url("/mcp");
    let elsewhere = keys.token(&other_server, "alice", "mcp:tools");
    let (status, headers, _) = initialize(desk.addr, Some(&elsewhere));
    assert_eq!(status, 401);
    let challenge = header(&headers, "www-authenticate").unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let run = mcpwire([
        "tools",
        &url,
        "--header",
        &format!("Authorization: Bearer {elsewhere}"),
    ]);
    assert_ne!(run.code, 0, "{run:#?}");
    let unscoped = keys.token(&url, "alice", "profile");
    let (status, _, _) = initialize(desk.addr, Some(&unscoped));
    assert_eq!(status, 403);

    // The desk records who closed a ticket.
    let run = mcpwire([
        "--json",
        "call",
        &url,
        "close_ticket",
        "ticket_id=42",
        "resolution=Cleared the stale session",
        "--header",
        &bearer,
    ])
    .expect(0);
    assert_eq!(
        run.json()["structuredContent"]["closed_by"],
        "alice",
        "{run:#?}"
    );
    let run = mcpwire(["--json", "read", &url, "ticket://42", "--header", &bearer]).expect(0);
    assert!(run.stdout.contains("Closed by alice."), "{run:#?}");
}

#[test]
fn the_keys_can_come_from_a_jwks_url() {
    let keys = Keys::new("url");
    let doc = std::fs::read_to_string(&keys.jwks).unwrap();
    let (jwks_addr, hits) = serve_jwks(doc);
    let db = temp_dir().join(format!("desk-url-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let jwks_url = format!("http://{jwks_addr}/jwks.json");
    let desk = start_desk(std::ffi::OsStr::new(&jwks_url), &db);
    let url = desk.url();
    let token = keys.token(&url, "bob", "mcp:tools");
    let run = mcpwire([
        "--json",
        "call",
        &url,
        "escalate_ticket",
        "ticket_id=43",
        "reason=Needs an engineer",
        "--header",
        &format!("Authorization: Bearer {token}"),
    ])
    .expect(0);
    assert_eq!(
        run.json()["structuredContent"]["escalated_by"],
        "bob",
        "{run:#?}"
    );
    assert!(hits.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    // A token signed by another key is refused, the URL notwithstanding.
    let other = Keys::new("url-other").token(&url, "bob", "mcp:tools");
    let (status, _, _) = initialize(desk.addr, Some(&other));
    assert_eq!(status, 401);
}

/// A `tools/call` POST of `close_ticket` for ticket 42 with `token`.
fn close_42(addr: SocketAddr, token: &str) -> (u16, Vec<(String, String)>, String) {
    let body = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "close_ticket",
        "arguments": {"ticket_id": 42, "resolution": "closed without the scope"}}})
    .to_string();
    http(
        addr,
        &format!(
            "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nMcp-Protocol-Version: 2025-11-25\r\n\
             Authorization: Bearer {token}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[test]
fn a_tool_scope_guards_one_tool_beyond_the_server_wide_scope() {
    let keys = Keys::new("tool-scope");
    let db = temp_dir().join(format!("desk-tool-scope-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let desk = start_desk_with(
        keys.jwks.as_os_str(),
        &db,
        &["--auth-tool-scope", "close_ticket=tickets:write"],
    );
    let url = desk.url();
    let reader = keys.token(&url, "alice", "mcp:tools");
    let reader_h = format!("Authorization: Bearer {reader}");
    let ticket = |h: &str| {
        let run = mcpwire(["--json", "read", &url, "ticket://42", "--header", h]).expect(0);
        run.json()["contents"][0]["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let before = ticket(&reader_h);
    assert!(before.contains("**Status:** open"), "{before}");

    // The server-wide scope lists the tools and reads the tickets.
    let run = mcpwire(["--json", "tools", &url, "--header", &reader_h]).expect(0);
    assert!(run.stdout.contains("close_ticket"), "{run:#?}");
    // The metadata names the tool's scope too.
    let (_, _, body) = http(
        desk.addr,
        &format!(
            "GET /.well-known/oauth-protected-resource/mcp HTTP/1.1\r\nHost: {}\r\n\
             Connection: close\r\n\r\n",
            desk.addr
        ),
    );
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        doc["scopes_supported"],
        json!(["mcp:tools", "tickets:write"])
    );

    // Closing needs tickets:write: 403 naming it.
    let (status, headers, body) = close_42(desk.addr, &reader);
    assert_eq!(status, 403, "{body}");
    let challenge = header(&headers, "www-authenticate").expect("a challenge");
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("tickets:write"), "{challenge}");
    let run = mcpwire([
        "call",
        &url,
        "close_ticket",
        "ticket_id=42",
        "resolution=no scope",
        "--header",
        &reader_h,
    ]);
    // Refused as a failed call (the CLI's token cannot be stepped up).
    let run = run.expect(4);
    assert!(
        run.stderr.contains("tools/call close_ticket failed"),
        "{run:#?}"
    );
    // Nothing changed.
    assert_eq!(ticket(&reader_h), before);

    // A token with the scope closes it.
    let writer = keys.token(&url, "bob", "mcp:tools tickets:write");
    let run = mcpwire([
        "--json",
        "call",
        &url,
        "close_ticket",
        "ticket_id=42",
        "resolution=Cleared the stale session",
        "--header",
        &format!("Authorization: Bearer {writer}"),
    ])
    .expect(0);
    assert_eq!(
        run.json()["structuredContent"]["closed_by"],
        "bob",
        "{run:#?}"
    );
    let after = ticket(&reader_h);
    assert!(after.contains("Closed by bob."), "{after}");
}

#[test]
fn a_malformed_tool_scope_is_a_usage_error() {
    let keys = Keys::new("tool-scope-flags");
    let jwks = keys.jwks.to_str().unwrap();
    // Never bound: the flags are refused first.
    let addr = child_addr().to_string();
    let audience = format!("http://{addr}/mcp");
    for bad in [
        "close_ticket",
        "close_ticket=",
        "=tickets:write",
        "close_ticket=a b",
    ] {
        let run = mcpwire([
            "serve",
            "support-desk",
            "--db",
            "unused.db",
            "--http",
            &addr,
            "--auth-jwks",
            jwks,
            "--auth-issuer",
            ISSUER,
            "--auth-audience",
            &audience,
            "--auth-tool-scope",
            bad,
        ])
        .expect(2);
        assert!(run.stderr.contains("--auth-tool-scope"), "{bad}: {run:#?}");
    }
    assert!(!common::repo_root().join("unused.db").exists());
    // The flag is documented.
    let run = mcpwire(["serve", "support-desk", "--help"]).expect(0);
    assert!(
        run.stdout.contains("--auth-tool-scope <TOOL=SCOPES>"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("TOOL=SCOPE[,SCOPE...]"), "{run:#?}");
}

#[test]
fn incomplete_auth_flags_are_usage_errors_naming_the_missing_flag() {
    let keys = Keys::new("flags");
    let jwks = keys.jwks.to_str().unwrap();
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "support-desk", "--db", "unused.db"];
        args.extend_from_slice(extra);
        mcpwire(args)
    };
    // Never bound: the flags are refused first.
    let bind = child_addr().to_string();
    let audience = format!("http://{bind}/mcp");
    let addr = ["--http", bind.as_str()];
    let run = serve(&[&addr[..], &["--auth-jwks", jwks]].concat()).expect(2);
    assert!(run.stderr.contains("--auth-issuer"), "{run:#?}");
    let run =
        serve(&[&addr[..], &["--auth-jwks", jwks, "--auth-issuer", ISSUER]].concat()).expect(2);
    assert!(run.stderr.contains("--auth-audience"), "{run:#?}");
    let only_aud = ["--auth-audience", audience.as_str()];
    let run = serve(&[&addr[..], &["--auth-issuer", ISSUER], &only_aud[..]].concat()).expect(2);
    assert!(run.stderr.contains("--auth-jwks"), "{run:#?}");
    let all = [
        "--auth-jwks",
        jwks,
        "--auth-issuer",
        ISSUER,
        "--auth-audience",
        audience.as_str(),
    ];
    // Tokens protect HTTP only.
    let run = serve(&all).expect(2);
    assert!(run.stderr.contains("--http"), "{run:#?}");
    // A JWKS file that is missing or not a JWKS stops the start.
    let mut missing = all;
    missing[1] = "no-such-jwks.json";
    let run = serve(&[&addr[..], &missing[..]].concat()).expect(2);
    assert!(run.stderr.contains("no-such-jwks.json"), "{run:#?}");
    let not_jwks = temp_dir().join("not-a-jwks.json");
    std::fs::write(&not_jwks, "{\"keys\": 7}").unwrap();
    let mut bad = all;
    bad[1] = not_jwks.to_str().unwrap();
    let run = serve(&[&addr[..], &bad[..]].concat()).expect(2);
    assert!(run.stderr.contains("not a JWKS"), "{run:#?}");
    // Nothing was created along the way.
    assert!(!common::repo_root().join("unused.db").exists());
}

#[test]
fn a_proxy_with_auth_flags_takes_good_tokens_only() {
    let keys = Keys::new("proxy");
    let echo = common::echo();
    let proxy = Server::listen(|addr| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
        c.args(["proxy", "--listen", &addr.to_string(), "--auth-jwks"])
            .arg(&keys.jwks)
            .args(["--auth-issuer", ISSUER, "--auth-audience"])
            .arg(format!("http://{addr}/mcp"))
            .args(["--auth-scope", "mcp:tools", "--"])
            .arg(&echo);
        c
    });
    let url = proxy.url();

    // No token, or another key's: 401, and no process behind it answers.
    let (status, headers, _) = initialize(proxy.addr, None);
    assert_eq!(status, 401);
    let challenge = header(&headers, "www-authenticate").expect("a challenge");
    assert!(
        challenge.contains("oauth-protected-resource"),
        "{challenge}"
    );
    let forged = Keys::new("proxy-other").token(&url, "mallory", "mcp:tools");
    let (status, _, _) = initialize(proxy.addr, Some(&forged));
    assert_eq!(status, 401);

    // A good token reaches the server, in both eras.
    let token = keys.token(&url, "alice", "mcp:tools");
    let (status, _, body) = initialize(proxy.addr, Some(&token));
    assert_eq!(status, 200, "{body}");
    let bearer = format!("Authorization: Bearer {token}");
    for era in ["legacy", "modern"] {
        let run = mcpwire([
            "--json",
            "call",
            &url,
            "echo",
            "text=guarded",
            "--era",
            era,
            "--header",
            &bearer,
        ])
        .expect(0);
        assert_eq!(
            run.json()["content"][0]["text"],
            "guarded",
            "{era}: {run:#?}"
        );
    }

    // With the flags, an address beyond loopback is no longer refused: the
    // start goes on to the bind, which fails on this address.
    let run = mcpwire([
        std::ffi::OsStr::new("proxy"),
        "--listen".as_ref(),
        "192.0.2.1:0".as_ref(),
        "--auth-jwks".as_ref(),
        keys.jwks.as_os_str(),
        "--auth-issuer".as_ref(),
        ISSUER.as_ref(),
        "--auth-audience".as_ref(),
        "http://192.0.2.1/mcp".as_ref(),
        "--".as_ref(),
        echo.as_os_str(),
    ])
    .expect(3);
    assert!(run.stderr.contains("192.0.2.1"), "{run:#?}");
}
