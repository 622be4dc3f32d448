//! A deployment with real parts: a private `redis-server`, conformance
//! servers sharing it (each a process of its own on a port the system
//! picked), and HAProxy balancing every request round-robin over them.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use mcpwire_testkit::parts::{Balancer, RedisCluster, RedisServer};

/// The longest an instance may take to start listening.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// One conformance server process on Redis; killed on drop.
pub struct Instance {
    child: Child,
    pub url: String,
    pub addr: SocketAddr,
}

impl Instance {
    /// Starts `conformance_server --port 0 --redis URL` and waits for the
    /// endpoint it prints once it listens.
    pub fn start(redis_url: &str) -> Instance {
        let bin = env!("CARGO_BIN_EXE_conformance_server");
        let mut child = Command::new(bin)
            .args(["--port", "0", "--redis", redis_url])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {bin}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = tx.send(reader.read_line(&mut line).map(|_| line));
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let url = match rx.recv_timeout(START_DEADLINE) {
            Ok(Ok(line)) if line.starts_with("http://") => line.trim().to_owned(),
            other => panic!("the conformance server did not print its endpoint: {other:?}"),
        };
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
            .parse()
            .expect("an address in the endpoint");
        Instance { child, url, addr }
    }

    /// Kills the process with SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Redis (a single server, or a cluster), instances on it, and the
/// balancer in front of them.
pub struct Deployment {
    pub redis: RedisServer,
    /// Held so that the cluster lives as long as the deployment.
    _cluster: Option<RedisCluster>,
    pub instances: Vec<Instance>,
    pub balancer: Balancer,
}

impl Deployment {
    /// `n` instances on a fresh Redis (with `redis_args`), behind HAProxy.
    pub fn start(n: usize, redis_args: &[&str]) -> Deployment {
        let redis = RedisServer::start_with(redis_args);
        let url = redis.url();
        Self::around(redis, None, &url, n)
    }

    /// `n` instances on a fresh three-master Redis Cluster (reached
    /// through its first node), behind HAProxy.
    pub fn on_cluster(n: usize) -> Deployment {
        let cluster = RedisCluster::start();
        let url = cluster.url();
        // An unused single server keeps the field's type simple.
        let spare = RedisServer::start();
        Self::around(spare, Some(cluster), &url, n)
    }

    fn around(
        redis: RedisServer,
        cluster: Option<RedisCluster>,
        url: &str,
        n: usize,
    ) -> Deployment {
        let instances: Vec<Instance> = (0..n).map(|_| Instance::start(url)).collect();
        let addrs: Vec<SocketAddr> = instances.iter().map(|i| i.addr).collect();
        let balancer = Balancer::start(&addrs);
        Deployment {
            redis,
            _cluster: cluster,
            instances,
            balancer,
        }
    }

    /// The balanced endpoint.
    pub fn url(&self) -> String {
        self.balancer.mcp_url()
    }
}
