//! The inspector over real HTTP: each refusal (no token, a wrong token, a
//! foreign Host, a foreign Origin), the trade of the launch token for the
//! cookie, and the bounds on bodies and servers.

use std::time::Duration;

use mcpwire_inspect::{Inspector, Limits, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running inspector: its port and launch token.
struct Running {
    port: u16,
    token: String,
    app_port: u16,
}

async fn start(limits: Limits) -> Running {
    let inspector = Inspector::bind(Options {
        limits,
        ..Options::default()
    })
    .await
    .unwrap();
    let url = inspector.url();
    let token = url.split_once("?token=").unwrap().1.to_owned();
    let port = inspector.port();
    assert_eq!(url, format!("http://127.0.0.1:{port}/?token={token}"));
    let app_port = inspector
        .app_origin()
        .strip_prefix("http://127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(app_port, port, "apps get an origin of their own");
    tokio::spawn(inspector.serve(std::future::pending()));
    Running {
        port,
        token,
        app_port,
    }
}

/// What came back: the status, the headers (lower-cased names) and the body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// Sends one HTTP/1.1 request with exactly the headers given (plus
/// `Connection: close`), and reads the whole answer.
async fn send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nconnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).await.unwrap();
    // A refused body may be answered before it is all sent.
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head[9..12].parse().unwrap();
    Answer {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

fn host(r: &Running) -> String {
    format!("127.0.0.1:{}", r.port)
}

#[tokio::test]
async fn no_token_is_401() {
    let r = start(Limits::default()).await;
    for path in ["/", "/api/servers", "/ui/app.js", "/api/events"] {
        let a = send(r.port, "GET", path, &[("host", &host(&r))], b"").await;
        assert_eq!(a.status, 401, "{path}");
        assert!(a.body.contains("launch token"), "{}", a.body);
    }
}

#[tokio::test]
async fn a_wrong_token_is_401() {
    let r = start(Limits::default()).await;
    let h = host(&r);
    let cookie = format!("mcpwire_inspect_{}=0000", r.port);
    for headers in [
        vec![("host", h.as_str()), ("authorization", "Bearer 0000")],
        vec![("host", h.as_str()), ("cookie", cookie.as_str())],
    ] {
        let a = send(r.port, "GET", "/api/servers", &headers, b"").await;
        assert_eq!(a.status, 401);
    }
    let a = send(r.port, "GET", "/?token=0000", &[("host", &h)], b"").await;
    assert_eq!(a.status, 401);
    assert!(!a.head.contains("set-cookie"));
}

#[tokio::test]
async fn a_foreign_host_is_403_even_with_the_token() {
    let r = start(Limits::default()).await;
    let bearer = format!("Bearer {}", r.token);
    for h in [
        format!("attacker.example:{}", r.port),
        format!("127.0.0.1:{}", r.port + 1),
        "127.0.0.1".to_owned(),
    ] {
        let a = send(
            r.port,
            "GET",
            "/api/servers",
            &[("host", &h), ("authorization", &bearer)],
            b"",
        )
        .await;
        assert_eq!(a.status, 403, "{h}");
    }
    let a = send(
        r.port,
        "GET",
        "/api/servers",
        &[
            ("host", &format!("localhost:{}", r.port)),
            ("authorization", &bearer),
        ],
        b"",
    )
    .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn a_foreign_origin_is_403_and_starts_nothing() {
    let r = start(Limits::default()).await;
    let h = host(&r);
    let cookie = format!("mcpwire_inspect_{}={}", r.port, r.token);
    let body = br#"{"command":"true"}"#;
    for origin in [
        "http://attacker.example".to_owned(),
        "null".to_owned(),
        format!("http://127.0.0.1:{}", r.port + 1),
    ] {
        let a = send(
            r.port,
            "POST",
            "/api/servers",
            &[("host", &h), ("cookie", &cookie), ("origin", &origin)],
            body,
        )
        .await;
        assert_eq!(a.status, 403, "{origin}");
    }
    let list = send(
        r.port,
        "GET",
        "/api/servers",
        &[("host", &h), ("cookie", &cookie)],
        b"",
    )
    .await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(r#""servers":[]"#), "{}", list.body);
    // The page's own origin may.
    let own = format!("http://{h}");
    let a = send(
        r.port,
        "POST",
        "/api/servers",
        &[("host", &h), ("cookie", &cookie), ("origin", &own)],
        body,
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
}

#[tokio::test]
async fn the_launch_token_is_traded_for_an_http_only_strict_cookie() {
    let r = start(Limits::default()).await;
    let h = host(&r);
    let a = send(
        r.port,
        "GET",
        &format!("/?token={}", r.token),
        &[("host", &h)],
        b"",
    )
    .await;
    assert_eq!(a.status, 303);
    assert!(a.head.contains("\r\nlocation: /\r\n"), "{}", a.head);
    let line = a
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("a cookie is set");
    let cookie = format!("mcpwire_inspect_{}={}", r.port, r.token);
    assert!(line.contains(&cookie), "{line}");
    assert!(line.contains("httponly"), "{line}");
    assert!(line.contains("samesite=strict"), "{line}");
    // The cookie opens the page and the API.
    for path in ["/", "/ui/app.js", "/api/servers"] {
        let a = send(
            r.port,
            "GET",
            path,
            &[("host", &h), ("cookie", &cookie)],
            b"",
        )
        .await;
        assert_eq!(a.status, 200, "{path}");
    }
    let page = send(
        r.port,
        "GET",
        "/",
        &[("host", &h), ("cookie", &cookie)],
        b"",
    )
    .await;
    assert!(
        page.head
            .contains("content-security-policy: default-src 'self'")
    );
    assert!(page.body.contains("/ui/app.js"));
}

#[tokio::test]
async fn bodies_and_servers_are_bounded() {
    let r = start(Limits {
        max_body: 1024,
        max_servers: 1,
        ..Limits::default()
    })
    .await;
    let h = host(&r);
    let bearer = format!("Bearer {}", r.token);
    let big = format!(r#"{{"command":"true","args":["{}"]}}"#, "a".repeat(2048));
    let a = send(
        r.port,
        "POST",
        "/api/servers",
        &[("host", &h), ("authorization", &bearer)],
        big.as_bytes(),
    )
    .await;
    assert_eq!(a.status, 413);
    let one = br#"{"command":"true"}"#;
    let a = send(
        r.port,
        "POST",
        "/api/servers",
        &[("host", &h), ("authorization", &bearer)],
        one,
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    let a = send(
        r.port,
        "POST",
        "/api/servers",
        &[("host", &h), ("authorization", &bearer)],
        one,
    )
    .await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert!(a.body.contains("holds 1 servers"), "{}", a.body);
}

#[tokio::test]
async fn the_app_origin_serves_registered_documents_only_and_checks_its_host() {
    let r = start(Limits::default()).await;
    let app_host = format!("127.0.0.1:{}", r.app_port);
    // No such document (names are unguessable and each is served once).
    let a = send(
        r.app_port,
        "GET",
        "/app/00112233445566778899aabbccddeeff",
        &[("host", &app_host)],
        b"",
    )
    .await;
    assert_eq!(a.status, 404);
    assert!(a.body.contains("served once"), "{}", a.body);
    // A foreign Host (DNS rebinding) is refused before anything else.
    let a = send(
        r.app_port,
        "GET",
        "/app/x",
        &[("host", "attacker.example")],
        b"",
    )
    .await;
    assert_eq!(a.status, 403);
    // The page's own token means nothing there, and the page is not served there.
    let bearer = format!("Bearer {}", r.token);
    let a = send(
        r.app_port,
        "GET",
        "/",
        &[("host", &app_host), ("authorization", &bearer)],
        b"",
    )
    .await;
    assert_eq!(a.status, 404);
    // The page may frame the app origin, and nothing else.
    let a = send(
        r.port,
        "GET",
        "/",
        &[("host", &host(&r)), ("authorization", &bearer)],
        b"",
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(
        a.head
            .contains(&format!("frame-src http://127.0.0.1:{};", r.app_port)),
        "{}",
        a.head
    );
}

#[tokio::test]
async fn answers_to_questions_nobody_asked_or_of_no_kind_are_refused() {
    let r = start(Limits::default()).await;
    let bearer = format!("Bearer {}", r.token);
    let headers = [
        ("host", host(&r)),
        ("authorization", bearer),
        ("content-type", "application/json".to_owned()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = send(r.port, "GET", "/api/asks", &headers, b"").await;
    assert_eq!((a.status, a.body.as_str()), (200, r#"{"asks":[]}"#));
    let a = send(r.port, "POST", "/api/asks/7", &headers, br#"{"result":{}}"#).await;
    assert_eq!(a.status, 404);
    assert!(a.body.contains("no open question has id 7"), "{}", a.body);
    let both = br#"{"result":{},"refuse":"no"}"#;
    let a = send(r.port, "POST", "/api/asks/7", &headers, both).await;
    assert_eq!(a.status, 400);
    let a = send(r.port, "POST", "/api/asks/x", &headers, br#"{"result":{}}"#).await;
    assert_eq!(a.status, 404);
}
