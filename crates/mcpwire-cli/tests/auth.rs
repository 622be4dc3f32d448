//! OAuth through the real binary: `auth login` completed headlessly (this
//! test plays the browser), verbs that use the stored tokens without a
//! terminal, `auth status` and `auth logout`, and `--no-auth`. The
//! authorization server and the protected MCP server are the testkit's,
//! run in this process on `127.0.0.1:0`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Run;
use mcpwire_testkit::http::child::child_addr;
use mcpwire_testkit::oauth::{AuthServer, trusting};
use serde_json::Value;

/// The loopback port the browser is sent back to: a fresh one per run.
fn redirect_port() -> String {
    child_addr().port().to_string()
}

fn mcpwire(creds: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args(args)
        .env("MCPWIRE_CREDENTIALS", creds)
        .env("MCPWIRE_REDIRECT_PORT", redirect_port())
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .output()
        .expect("running mcpwire");
    Run::from_output(out)
}

/// Runs `mcpwire auth login URL`, reading the authorization URL it prints
/// and following it as a browser would: the authorization server consents
/// at once and redirects to the loopback listener.
async fn login(creds: &Path, url: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpwire"))
        .args(["auth", "login", url, "--timeout", "20"])
        .env("MCPWIRE_CREDENTIALS", creds)
        .env("MCPWIRE_REDIRECT_PORT", redirect_port())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning mcpwire auth login");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let authorize = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
            let l = line.trim();
            if l.starts_with("http://") || l.starts_with("https://") {
                return l.to_owned();
            }
        }
    })
    .await
    .unwrap();
    // The browser: GET the authorization URL, follow the redirect.
    let browser = reqwest::Client::new();
    let page = browser.get(&authorize).send().await.expect("the redirect");
    assert_eq!(page.status(), 200, "the loopback page");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    Run::from_output(out)
}

fn temp_creds(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("mcpwire").join("credentials.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_then_use_status_and_logout() {
    let auth = AuthServer::start().await;
    let server = trusting(&auth.issuer, auth.jwks()).await;
    let url = server.resource.clone();
    let creds = temp_creds("flow");
    let c = creds.as_path();

    // Without credentials and without a terminal, a verb says what to do.
    let run = mcpwire(c, &["tools", &url]).expect(3);
    assert!(run.stderr.contains("mcpwire auth login"), "{run:#?}");
    let run = mcpwire(c, &["--json", "auth", "status", &url]).expect(0);
    assert!(
        run.json()["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["authorized"] == false)
    );

    let run = login(c, &url).await.expect(0);
    assert!(run.stdout.contains(&auth.issuer), "{run:#?}");
    // The file is the user's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(c).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let stored = std::fs::read_to_string(c).unwrap();
    assert!(stored.contains(&auth.issuer));

    // Verbs use the stored token without a terminal.
    let run = mcpwire(c, &["--json", "call", &url, "echo", "text=hi"]).expect(0);
    assert!(run.stdout.contains("hi"), "{run:#?}");

    // Status names the issuer and scopes, never a token.
    let run = mcpwire(c, &["--json", "auth", "status", &url]).expect(0);
    let v = run.json();
    let entry = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["authorized"] == true)
        .unwrap_or_else(|| panic!("{v}"))
        .clone();
    assert_eq!(entry["issuer"], Value::String(auth.issuer.clone()));
    assert!(
        entry["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "mcp:tools"),
        "{v}"
    );
    assert!(!run.stdout.contains("eyJ"), "a JWT leaked: {}", run.stdout);
    let run = mcpwire(c, &["auth", "status", &url]);
    assert!(run.stdout.contains("authorized"), "{run:#?}");

    // --no-auth refuses, and says why.
    let run = mcpwire(c, &["tools", &url, "--no-auth"]).expect(3);
    assert!(run.stderr.contains("--no-auth"), "{run:#?}");

    // Logout forgets; the verb needs a login again.
    let run = mcpwire(c, &["--json", "auth", "logout", &url]).expect(0);
    assert!(run.json()["removed"].as_u64().unwrap() >= 1);
    let run = mcpwire(c, &["tools", &url]).expect(3);
    assert!(run.stderr.contains("mcpwire auth login"), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_credential_file_is_a_clear_error() {
    let auth = AuthServer::start().await;
    let server = trusting(&auth.issuer, auth.jwks()).await;
    let url = server.resource.clone();
    let creds = temp_creds("corrupt");
    std::fs::create_dir_all(creds.parent().unwrap()).unwrap();
    std::fs::write(&creds, "{ not json").unwrap();
    let run = mcpwire(&creds, &["auth", "status", &url]);
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(run.stderr.contains("credentials.json"), "{run:#?}");
    // The file is left for the user to look at.
    assert_eq!(std::fs::read_to_string(&creds).unwrap(), "{ not json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorization_endpoint_off_https_is_refused_and_not_opened() {
    let auth = AuthServer::start().await;
    let server = trusting(&auth.issuer, auth.jwks()).await;
    let url = server.resource.clone();
    let creds = temp_creds("insecure");
    for endpoint in ["http://example.com/authorize", "javascript:alert(1)"] {
        auth.behave(|b| b.authorization_endpoint = Some(endpoint.into()));
        let run = mcpwire(&creds, &["auth", "login", &url, "--timeout", "5"]).expect(3);
        assert!(
            run.stderr
                .contains("refusing the authorization server's authorization endpoint"),
            "{run:#?}"
        );
        assert!(!run.stderr.contains("Open this URL"), "{run:#?}");
        // Nothing was stored for the refused server.
        assert!(!creds.exists(), "{run:#?}");
    }
    // A verb says the same.
    let run = mcpwire(&creds, &["tools", &url]).expect(3);
    assert!(run.stderr.contains("javascript:alert(1)"), "{run:#?}");
    // Its own endpoint again: the login goes through.
    auth.behave(|b| b.authorization_endpoint = None);
    let run = login(&creds, &url).await.expect(0);
    assert!(run.stdout.contains(&auth.issuer), "{run:#?}");
}
