//! The serving verbs through the real binary: `demo` end to end, the demo
//! servers over stdio and HTTP, and `proxy` in both directions, with its
//! session cap and its refusal to serve beyond loopback without auth.

mod common;

use std::process::Command;

use common::{Server, echo, mcpwire};

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-serve");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    path
}

#[test]
fn demo_runs_the_agent_flow_end_to_end() {
    let run = mcpwire(["demo"]).expect(0);
    for step in ["[1]", "[2]", "[3]", "[4]", "[5]"] {
        assert!(run.stdout.contains(step), "{run:#?}");
    }
    assert!(run.stdout.contains("Status: closed"), "{run:#?}");
    // --json gives the steps to machines, and a fresh database each time.
    let run = mcpwire(["--json", "demo"]).expect(0);
    let v = run.json();
    assert_eq!(v["ticketClosed"], true, "{run:#?}");
    assert_eq!(v["steps"].as_array().unwrap().len(), 5, "{v}");
}

#[test]
fn demo_on_a_database_where_42_is_closed_fails_clearly() {
    let db = temp_db("demo-twice");
    let db = db.to_str().unwrap();
    mcpwire(["demo", "--db", db]).expect(0);
    let run = mcpwire(["demo", "--db", db]).expect(4);
    assert!(run.stderr.contains("already closed"), "{run:#?}");
}

#[test]
fn the_support_desk_serves_stdio_and_http() {
    let db = temp_db("desk");
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let db_s = db.to_str().unwrap();
    let run = mcpwire([
        "--json",
        "read",
        "ticket://43",
        "--",
        exe,
        "serve",
        "support-desk",
        "--db",
        db_s,
    ])
    .expect(0);
    assert!(run.stdout.contains("Invoice PDF not loading"), "{run:#?}");
    let server = Server::listen(|addr| {
        let mut c = Command::new(exe);
        c.args([
            "serve",
            "support-desk",
            "--db",
            db_s,
            "--http",
            &addr.to_string(),
        ]);
        c
    });
    let url = server.url();
    let run = mcpwire([
        "--json",
        "call",
        &url,
        "close_ticket",
        "ticket_id=43",
        "resolution=Fixed the PDF renderer",
    ])
    .expect(0);
    assert_eq!(
        run.json()["structuredContent"]["status"],
        "closed",
        "{run:#?}"
    );
    // A second close is the tool's error, exit code 5.
    let run = mcpwire([
        "call",
        &url,
        "close_ticket",
        "ticket_id=43",
        "resolution=again",
    ])
    .expect(5);
    assert!(
        run.stdout.contains("already closed") || run.stderr.contains("already closed"),
        "{run:#?}"
    );
}

#[test]
fn the_sqlite_server_answers_reads_and_refuses_writes() {
    let db = temp_db("sql");
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    // The support desk creates a database to query.
    mcpwire([
        "ping",
        "--",
        exe,
        "serve",
        "support-desk",
        "--db",
        db.to_str().unwrap(),
    ])
    .expect(0);
    let before = std::fs::read(&db).unwrap();
    let target = ["--", exe, "serve", "sqlite", "--db", db.to_str().unwrap()];
    let mut args = vec![
        "--json",
        "call",
        "sql_query",
        "query=SELECT id FROM tickets ORDER BY id LIMIT 2",
    ];
    args.extend(target);
    let run = mcpwire(&args).expect(0);
    assert!(run.stdout.contains("42"), "{run:#?}");
    let mut args = vec!["call", "sql_query", "query=DELETE FROM tickets"];
    args.extend(target);
    mcpwire(&args).expect(5);
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file changed");
}

#[test]
fn proxy_serves_a_stdio_server_over_http() {
    let echo = echo();
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let server = Server::listen(|addr| {
        let mut c = Command::new(exe);
        c.args(["proxy", "--listen", &addr.to_string(), "--"])
            .arg(&echo);
        c
    });
    let url = server.url();
    for era in ["legacy", "modern"] {
        let run = mcpwire([
            "--json",
            "call",
            &url,
            "echo",
            "text=through the proxy",
            "--era",
            era,
        ])
        .expect(0);
        assert_eq!(
            run.json()["content"][0]["text"],
            "through the proxy",
            "{era}: {run:#?}"
        );
    }
}

#[test]
fn proxy_serves_a_remote_http_server_on_stdio() {
    let server = Server::echo_http();
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let url = server.url();
    for era in ["legacy", "modern"] {
        let run = mcpwire([
            "--json",
            "call",
            "echo",
            "text=over stdio",
            "--era",
            era,
            "--",
            exe,
            "proxy",
            &url,
        ])
        .expect(0);
        assert_eq!(
            run.json()["content"][0]["text"],
            "over stdio",
            "{era}: {run:#?}"
        );
    }
    let run = mcpwire(["proxy"]).expect(2);
    assert!(run.stderr.contains("either --listen"), "{run:#?}");
}

/// POSTs a 2025-11-25 `initialize` to `addr`; the status and the body.
fn post_initialize(addr: std::net::SocketAddr) -> (u16, String) {
    use std::io::{Read, Write};
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap();
    (status, raw)
}

#[test]
fn proxy_caps_its_sessions() {
    let echo = echo();
    let exe = env!("CARGO_BIN_EXE_mcpwire");
    let server = Server::listen(|addr| {
        let mut c = Command::new(exe);
        c.args([
            "proxy",
            "--listen",
            &addr.to_string(),
            "--max-sessions",
            "1",
        ])
        .arg("--")
        .arg(&echo);
        c
    });
    let (status, raw) = post_initialize(server.addr);
    assert_eq!(status, 200, "{raw}");
    for _ in 0..2 {
        let (status, raw) = post_initialize(server.addr);
        assert_eq!(status, 503, "{raw}");
        assert!(raw.contains("try again later"), "{raw}");
    }
    // The one shared process of 2026-07-28 requests comes on top.
    let run = mcpwire([
        "--json",
        "call",
        &server.url(),
        "echo",
        "text=still served",
        "--era",
        "modern",
    ])
    .expect(0);
    assert_eq!(run.json()["content"][0]["text"], "still served", "{run:#?}");
}

#[test]
fn proxy_refuses_an_address_beyond_loopback_without_auth() {
    let echo = echo();
    let echo = echo.to_str().unwrap();
    // Refused before anything is bound.
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let run = mcpwire(["proxy", "--listen", addr, "--", echo]).expect(2);
        for flag in [
            "--auth-jwks",
            "--auth-issuer",
            "--auth-audience",
            "--allow-unauthenticated",
        ] {
            assert!(run.stderr.contains(flag), "{flag}: {run:#?}");
        }
    }
    // --allow-unauthenticated lifts the refusal: the start goes on to the
    // bind, which fails on this address that no interface here has.
    let run = mcpwire([
        "proxy",
        "--listen",
        "192.0.2.1:0",
        "--allow-unauthenticated",
        "--",
        echo,
    ])
    .expect(3);
    assert!(run.stderr.contains("192.0.2.1"), "{run:#?}");
    // The listen-only flags make no sense for a URL.
    let nowhere = mcpwire_testkit::http::child::refused_url("/mcp");
    let run = mcpwire(["proxy", &nowhere, "--max-sessions", "3"]).expect(2);
    assert!(run.stderr.contains("--listen only"), "{run:#?}");
    let run = mcpwire(["proxy", &nowhere, "--allow-unauthenticated"]).expect(2);
    assert!(run.stderr.contains("--listen only"), "{run:#?}");
    // A loopback address needs neither.
    let server = Server::listen(|addr| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcpwire"));
        c.args(["proxy", "--listen", &addr.to_string(), "--", echo]);
        c
    });
    let run = mcpwire(["--json", "call", &server.url(), "echo", "text=loopback"]).expect(0);
    assert_eq!(run.json()["content"][0]["text"], "loopback", "{run:#?}");
}
