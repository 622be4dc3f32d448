//! Real infrastructure a test starts for itself: a private Redis, a local
//! three-master Redis Cluster, and HAProxy balancing round-robin over
//! servers. Each runs as a child process on free loopback ports, in a
//! scratch directory of its own, and is killed when dropped.
//!
//! Their programs come from Debian (`apt-get install redis-server
//! haproxy`); CI installs them. A machine without them fails the test with
//! that instruction: a test that needs Redis never passes without it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a part may take to start answering.
pub const START_PATIENCE: Duration = Duration::from_secs(20);

/// A free port on 127.0.0.1, as the system hands one out.
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"))
}

fn program(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"] {
        let p = PathBuf::from(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "`{name}` is not installed; this test runs a real one: `apt-get install redis-server haproxy` \
         (CI installs them in .ci/run)"
    )
}

/// A fresh scratch directory under the system's temporary directory.
fn scratch(what: &str) -> PathBuf {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("mcpwire-{what}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
    dir
}

/// Waits until something accepts connections on `port`; `Err` with why
/// when the process exited first (its port was taken, say).
fn try_wait_listening(child: &mut Child, port: u16, what: &str) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{what} on port {port} exited before it listened: {status}"
            ));
        }
        assert!(
            start.elapsed() < START_PATIENCE,
            "{what} did not listen on port {port} within {START_PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until something accepts connections on `port`.
fn wait_listening(child: &mut Child, port: u16, what: &str) {
    if let Err(why) = try_wait_listening(child, port, what) {
        panic!("{why}");
    }
}

/// What stands for a fresh free port in [`RedisServer::start_with`]'s
/// arguments (a cluster node's bus port, say).
pub const FREE_PORT: &str = "{free_port}";

/// How many times a server is started on fresh ports when another process
/// took one between [`free_port`] and the server's bind.
const START_ATTEMPTS: usize = 5;

/// Runs `redis-cli` against `port` and returns its output.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new(program("redis-cli"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run redis-cli: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A private `redis-server` on a free loopback port, with no persistence.
///
/// ```no_run
/// let redis = mcpwire_testkit::parts::RedisServer::start();
/// assert!(redis.url().starts_with("redis://127.0.0.1:"));
/// ```
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts one.
    pub fn start() -> RedisServer {
        Self::start_with(&[])
    }

    /// Starts one with extra `redis-server` arguments (`--cluster-enabled
    /// yes`, …); each [`FREE_PORT`] among them becomes a free port. A port
    /// another process took meanwhile makes it start again on fresh ones.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let mut s = RedisServer {
                port: free_port(),
                dir: scratch("redis"),
                child: None,
                extra: extra
                    .iter()
                    .map(|a| match *a {
                        FREE_PORT => free_port().to_string(),
                        a => a.to_owned(),
                    })
                    .collect(),
            };
            match s.try_spawn() {
                Ok(()) => return s,
                Err(why) => last = why,
            }
        }
        panic!("redis-server did not start in {START_ATTEMPTS} attempts: {last}")
    }

    fn spawn(&mut self) {
        if let Err(why) = self.try_spawn() {
            panic!("{why}");
        }
    }

    fn try_spawn(&mut self) -> Result<(), String> {
        let mut child = Command::new(program("redis-server"))
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--protected-mode", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server: {e}"));
        let started = try_wait_listening(&mut child, self.port, "redis-server").and_then(|()| {
            // A cluster node also listens on its bus port, and exits if
            // that one was taken.
            let bus = self
                .extra
                .iter()
                .position(|a| a == "--cluster-port")
                .and_then(|i| self.extra.get(i + 1))
                .and_then(|p| p.parse::<u16>().ok());
            match bus {
                Some(bus) => try_wait_listening(&mut child, bus, "a cluster node's bus"),
                None => Ok(()),
            }
        });
        if let Err(why) = started {
            let _ = child.kill();
            let _ = child.wait();
            return Err(why);
        }
        self.child = Some(child);
        Ok(())
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills it (`SIGKILL`): clients see connections refused until
    /// [`RedisServer::restart`].
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port (empty: nothing was persisted).
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Runs `redis-cli` against it.
    pub fn cli(&self, args: &[&str]) -> String {
        redis_cli(self.port, args)
    }

    /// How many times each command ran since the counters were reset
    /// (`INFO commandstats`), by lower-case command name.
    pub fn command_counts(&self) -> std::collections::BTreeMap<String, u64> {
        parse_commandstats(&self.cli(&["INFO", "commandstats"]))
    }
}

/// Reads `INFO commandstats` into counts by command.
pub fn parse_commandstats(info: &str) -> std::collections::BTreeMap<String, u64> {
    info.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("cmdstat_")?;
            let (name, fields) = rest.split_once(':')?;
            let calls = fields
                .split(',')
                .find_map(|f| f.strip_prefix("calls="))?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A local Redis Cluster of three masters, each a private `redis-server`.
///
/// ```no_run
/// let cluster = mcpwire_testkit::parts::RedisCluster::start();
/// assert_eq!(cluster.nodes().len(), 3);
/// ```
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three nodes and joins them into a cluster, then waits until
    /// it reports `cluster_state:ok`.
    pub fn start() -> RedisCluster {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                // The cluster bus listens on a port of its own, by default
                // the node's plus 10000: a port nobody checked, which a
                // client socket may hold, and then the node exits after
                // it began to listen. Ask for a free one instead.
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "2000",
                    "--cluster-port",
                    FREE_PORT,
                ])
            })
            .collect();
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect();
        let mut args: Vec<&str> = vec!["--cluster", "create"];
        args.extend(addrs.iter().map(String::as_str));
        args.extend(["--cluster-replicas", "0", "--cluster-yes"]);
        let out = Command::new(program("redis-cli"))
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run redis-cli --cluster create: {e}"));
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let start = Instant::now();
        while !nodes
            .iter()
            .all(|n| n.cli(&["CLUSTER", "INFO"]).contains("cluster_state:ok"))
        {
            assert!(
                start.elapsed() < START_PATIENCE,
                "the cluster did not reach cluster_state:ok within {START_PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisCluster { nodes }
    }

    /// Its nodes.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    /// The URL of its first node, which is all a client needs.
    pub fn url(&self) -> String {
        self.nodes[0].url()
    }

    /// Commands run on all nodes together, by command name.
    pub fn command_counts(&self) -> std::collections::BTreeMap<String, u64> {
        let mut all = std::collections::BTreeMap::new();
        for n in &self.nodes {
            for (k, v) in n.command_counts() {
                *all.entry(k).or_insert(0) += v;
            }
        }
        all
    }
}

/// HAProxy in HTTP mode, balancing every request round-robin over
/// servers, with no stickiness of any kind.
///
/// ```no_run
/// let lb = mcpwire_testkit::parts::Balancer::start(&["127.0.0.1:8001".parse().unwrap()]);
/// assert!(lb.mcp_url().ends_with("/mcp"));
/// ```
pub struct Balancer {
    port: u16,
    stats_port: u16,
    dir: PathBuf,
    child: Option<Child>,
    servers: usize,
}

impl Balancer {
    /// Starts HAProxy in front of `servers`.
    pub fn start(servers: &[SocketAddr]) -> Balancer {
        let port = free_port();
        let stats_port = free_port();
        let dir = scratch("haproxy");
        let config = dir.join("haproxy.cfg");
        let mut text = haproxy_config(port, servers);
        text.push_str(&format!(
            "\nlisten stats\n    bind 127.0.0.1:{stats_port}\n    stats enable\n    stats uri /stats\n"
        ));
        std::fs::write(&config, text).unwrap_or_else(|e| panic!("cannot write {config:?}: {e}"));
        let mut child = Command::new(program("haproxy"))
            .arg("-f")
            .arg(&config)
            .arg("-db")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start haproxy: {e}"));
        wait_listening(&mut child, port, "haproxy");
        wait_listening(&mut child, stats_port, "haproxy's stats");
        Balancer {
            port,
            stats_port,
            dir,
            child: Some(child),
            servers: servers.len(),
        }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:PORT/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    /// How many requests each server was sent so far, in the order given
    /// to [`Balancer::start`] (HAProxy's `stot` of each server: one
    /// connection per request, as the configuration closes server
    /// connections after each).
    pub fn served(&self) -> Vec<u64> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.stats_port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("cannot reach haproxy's stats: {e}"));
        use std::io::{Read, Write};
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        stream
            .write_all(b"GET /stats;csv HTTP/1.0\r\nHost: stats\r\n\r\n")
            .unwrap_or_else(|e| panic!("cannot ask haproxy's stats: {e}"));
        let mut csv = String::new();
        let _ = stream.read_to_string(&mut csv);
        let header = csv
            .lines()
            .find(|l| l.starts_with("# pxname"))
            .unwrap_or_else(|| panic!("haproxy's stats have no header: {csv}"));
        let cols: Vec<&str> = header.trim_start_matches("# ").split(',').collect();
        let stot = cols
            .iter()
            .position(|c| *c == "stot")
            .expect("a stot column");
        (0..self.servers)
            .map(|i| {
                let name = format!("i{i}");
                csv.lines()
                    .map(|l| l.split(',').collect::<Vec<_>>())
                    .find(|f| f.first() == Some(&"instances") && f.get(1) == Some(&name.as_str()))
                    .and_then(|f| f.get(stot).and_then(|v| v.parse().ok()))
                    .unwrap_or(0)
            })
            .collect()
    }
}

/// The configuration [`Balancer`] runs: what the README shows operators,
/// on the test's ports. Every request goes to the next instance
/// (round-robin, no stickiness); an instance that stops answering is taken
/// out within a second or two, and a request that could not reach one is
/// sent to another.
pub fn haproxy_config(port: u16, servers: &[SocketAddr]) -> String {
    let mut cfg = format!(
        "global\n    maxconn 2048\n\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 5m\n    \
         timeout server 5m\n    timeout http-request 10s\n    option http-server-close\n    \
         retries 3\n    option redispatch 1\n\n\
         frontend mcp\n    bind 127.0.0.1:{port}\n    default_backend instances\n\n\
         backend instances\n    balance roundrobin\n    default-server check inter 500ms fall 2 rise 1\n"
    );
    for (i, s) in servers.iter().enumerate() {
        cfg.push_str(&format!("    server i{i} {s}\n"));
    }
    cfg
}

impl Drop for Balancer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commandstats_are_read_by_command() {
        let info = "# Commandstats\r\ncmdstat_get:calls=3,usec=9,usec_per_call=3.00\r\ncmdstat_xadd:calls=12,usec=1\r\n";
        let counts = parse_commandstats(info);
        assert_eq!(counts.get("get"), Some(&3));
        assert_eq!(counts.get("xadd"), Some(&12));
    }
}
