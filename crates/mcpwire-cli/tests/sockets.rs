//! `mcpwire` against the echo example served over TCP and over a Unix
//! socket: `tcp://HOST:PORT` and `unix:///PATH` targets, on the command
//! line and in config files, in every era; what is refused with them.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Server, echo, mcpwire};
use serde_json::json;

/// The echo example serving TCP on an address the testkit hands out.
fn echo_tcp() -> Server {
    Server::listen(|addr| {
        let mut c = Command::new(echo());
        c.arg("tcp").arg(addr.to_string());
        c
    })
}

/// The echo example serving a Unix socket, killed (and its directory
/// removed) on drop.
struct UnixEcho {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl UnixEcho {
    /// Starts `echo unix PATH` in a fresh directory and waits for the line
    /// it prints once it listens.
    fn start(name: &str) -> UnixEcho {
        let dir =
            std::env::temp_dir().join(format!("mcpwire-cli-unix-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        let path = dir.join("echo.sock");
        let mut child = Command::new(echo())
            .arg("unix")
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the echo example");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the echo example says where it listens");
        let url = format!("unix://{}", path.display());
        assert_eq!(line.trim_end(), url);
        UnixEcho { child, dir, url }
    }
}

impl Drop for UnixEcho {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What every socket target must do: info, tools, call, in every era.
fn every_verb_works(url: &str) {
    for era in ["auto", "legacy", "modern"] {
        let j = mcpwire(["--json", "info", url, "--era", era])
            .expect(0)
            .json();
        assert_eq!(j["serverInfo"]["name"], "mcpwire-echo", "{era}");
        let r = mcpwire(["call", url, "add", "a=2", "b=3", "--era", era]).expect(0);
        assert_eq!(r.stdout, "5\n", "{era}");
    }
    let r = mcpwire(["call", url, "echo", "text=over a socket"]).expect(0);
    assert_eq!(r.stdout, "over a socket\n");
    let j = mcpwire(["tools", url, "--json"]).expect(0).json();
    assert_eq!(j["tools"][0]["name"], "echo", "{j}");
}

#[test]
fn verbs_reach_the_echo_server_over_tcp() {
    let server = echo_tcp();
    every_verb_works(&format!("tcp://{}", server.addr));
}

#[test]
fn verbs_reach_the_echo_server_over_a_unix_socket() {
    let server = UnixEcho::start("verbs");
    every_verb_works(&server.url);
}

#[test]
fn config_files_name_socket_servers_by_url() {
    let (tcp, unix) = (echo_tcp(), UnixEcho::start("config"));
    let file = unix.dir.join("mcp.json");
    let config = json!({"mcpServers": {
        "tcp": {"url": format!("tcp://{}", tcp.addr)},
        "unix": {"url": unix.url},
    }});
    std::fs::write(&file, config.to_string()).unwrap();
    let f = file.display().to_string();
    for name in ["tcp", "unix"] {
        let r = mcpwire(["call", "echo", "text=hi", "--config", &f, "--server", name]).expect(0);
        assert_eq!(r.stdout, "hi\n", "{name}");
    }
}

#[test]
fn malformed_socket_urls_and_http_options_are_usage_errors() {
    for (args, says) in [
        (vec!["info", "tcp://127.0.0.1"], "tcp://HOST:PORT"),
        (
            vec!["info", "unix://relative.sock"],
            "unix:///ABSOLUTE/PATH",
        ),
        (
            vec!["info", "tcp://127.0.0.1:9", "-H", "A: b"],
            "do not apply",
        ),
    ] {
        let r = mcpwire(&args).expect(2);
        assert!(r.stderr.contains(says), "{args:?}: {r:?}");
    }
}

#[test]
fn a_socket_nobody_listens_on_is_a_connection_error() {
    let dir = std::env::temp_dir().join(format!("mcpwire-cli-nobody-{}", std::process::id()));
    let url = format!("unix://{}", dir.join("absent.sock").display());
    let r = mcpwire(["info", &url]).expect(3);
    assert!(r.stderr.contains("cannot connect to unix://"), "{r:?}");
}
