//! Where the server is: a URL (`http(s)://`, `tcp://HOST:PORT`,
//! `unix:///PATH`), a command after `--`, or an entry of an `mcpServers`
//! config file; and connecting a client to it.

use std::collections::BTreeMap;
use std::time::Duration;

use mcpwire::client::{Client, ClientBuilder, ClientMode};
use mcpwire::engine::EngineConfig;
use mcpwire::transport::http_client::{HttpClientTransport, ReconnectPolicy};
use mcpwire::transport::{ChildProcess, tcp};
use mcpwire_types::ProtocolVersion;
use serde::Deserialize;

use crate::cli::{EraArg, TargetArgs};
use crate::exit::CliError;
use crate::oauth;
use std::sync::atomic::Ordering;

/// A resolved target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Streamable HTTP (or legacy HTTP+SSE) endpoint.
    Http {
        /// The endpoint URL.
        url: String,
        /// Headers sent with every request.
        headers: Vec<(String, String)>,
    },
    /// A server listening on TCP (`tcp://HOST:PORT`), one JSON-RPC
    /// message per line.
    Tcp {
        /// `HOST:PORT`.
        addr: String,
    },
    /// A server listening on a Unix socket (`unix:///PATH`), one JSON-RPC
    /// message per line.
    Unix {
        /// The socket's absolute path.
        path: String,
    },
    /// A stdio server run as a child process.
    Stdio {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment variables.
        env: Vec<(String, String)>,
    },
}

/// A command-line user wants a refused connection reported at once, and a
/// broken event stream retried briefly.
const RECONNECT: ReconnectPolicy = ReconnectPolicy {
    initial_delay: Duration::from_millis(200),
    max_delay: Duration::from_secs(2),
    max_attempts: 1,
};

/// One entry of a config file's `mcpServers`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ServerEntry {
    Stdio {
        command: String,
        #[serde(default)]
        args: Vec<String>,
        #[serde(default)]
        env: BTreeMap<String, String>,
    },
    Http {
        url: String,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
}

#[derive(Debug, Deserialize)]
struct ConfigFile {
    #[serde(rename = "mcpServers")]
    mcp_servers: BTreeMap<String, serde_json::Value>,
}

/// Whether a word on the command line is a server URL.
pub fn is_url(word: &str) -> bool {
    ["http://", "https://", TCP_SCHEME, UNIX_SCHEME]
        .iter()
        .any(|scheme| word.starts_with(scheme))
}

const TCP_SCHEME: &str = "tcp://";
const UNIX_SCHEME: &str = "unix://";

/// The target a URL names: `tcp://HOST:PORT`, `unix:///PATH`, or else an
/// HTTP endpoint.
fn from_url(url: String, headers: Vec<(String, String)>) -> Result<Target, CliError> {
    let plain = |what: &str| {
        if headers.is_empty() {
            Ok(())
        } else {
            Err(CliError::usage(format!(
                "headers apply to HTTP servers only; {url} is a {what}"
            )))
        }
    };
    if let Some(addr) = url.strip_prefix(TCP_SCHEME) {
        let addr = addr.strip_suffix('/').unwrap_or(addr);
        let port = addr
            .rsplit_once(':')
            .map(|(host, port)| (host, port.parse::<u16>()));
        if !matches!(port, Some((host, Ok(_))) if !host.is_empty() && !host.contains('/')) {
            return Err(CliError::usage(format!(
                "{url}: expected tcp://HOST:PORT (for example tcp://127.0.0.1:7000)"
            )));
        }
        plain("TCP server")?;
        return Ok(Target::Tcp {
            addr: addr.to_owned(),
        });
    }
    if let Some(path) = url.strip_prefix(UNIX_SCHEME) {
        if !path.starts_with('/') || path.len() < 2 {
            return Err(CliError::usage(format!(
                "{url}: expected unix:///ABSOLUTE/PATH (three slashes: the scheme, then the path)"
            )));
        }
        plain("Unix socket")?;
        return Ok(Target::Unix {
            path: path.to_owned(),
        });
    }
    Ok(Target::Http { url, headers })
}

/// Splits the server URL off the front of a verb's words: `[URL] rest...`.
/// When `opts` already names a server (`-- CMD` or `--config`), a leading
/// URL is an argument of the verb (such as `read https://...`).
pub fn split_url<'a>(words: &'a [String], opts: &TargetArgs) -> (Option<String>, &'a [String]) {
    let other_target = !opts.command.is_empty() || opts.config.is_some();
    match words.split_first() {
        Some((first, rest)) if is_url(first) && !other_target => (Some(first.clone()), rest),
        _ => (None, words),
    }
}

impl Target {
    /// Resolves the target from a URL (if any) and the target options.
    pub fn resolve(url: Option<String>, opts: &TargetArgs) -> Result<Target, CliError> {
        let given = [
            url.is_some(),
            !opts.command.is_empty(),
            opts.config.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given == 0 {
            return Err(CliError::usage(
                "no server given: pass a URL, `-- CMD ARGS...`, or `--config FILE --server NAME`",
            ));
        }
        if given > 1 {
            return Err(CliError::usage(
                "give exactly one server: a URL, `-- CMD ARGS...`, or `--config FILE --server NAME`",
            ));
        }
        if opts.server.is_some() && opts.config.is_none() {
            return Err(CliError::usage("--server needs --config FILE"));
        }
        let headers = opts
            .headers
            .iter()
            .map(|h| parse_pair(h, ':', "--header", "Name: value"))
            .collect::<Result<Vec<_>, _>>()?;
        let env = opts
            .env
            .iter()
            .map(|e| parse_pair(e, '=', "--env", "KEY=VALUE"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut target = if let Some(url) = url {
            from_url(url, Vec::new())?
        } else if let Some((program, args)) = opts.command.split_first() {
            Target::Stdio {
                program: program.clone(),
                args: args.to_vec(),
                env: Vec::new(),
            }
        } else {
            let file = opts.config.as_deref().unwrap_or_default();
            let name = opts
                .server
                .as_deref()
                .ok_or_else(|| CliError::usage("--config needs --server NAME"))?;
            from_config(file, name)?
        };
        match &mut target {
            Target::Http { headers: h, .. } => {
                if !env.is_empty() {
                    return Err(CliError::usage(
                        "--env applies to stdio servers only; this target is a URL",
                    ));
                }
                h.extend(headers);
            }
            Target::Tcp { .. } | Target::Unix { .. } => {
                if !env.is_empty() || !headers.is_empty() {
                    return Err(CliError::usage(
                        "--env and --header do not apply to tcp:// and unix:// servers",
                    ));
                }
            }
            Target::Stdio { env: e, .. } => {
                if !headers.is_empty() {
                    return Err(CliError::usage(
                        "--header applies to HTTP servers only; this target is a command",
                    ));
                }
                e.extend(env);
            }
        }
        Ok(target)
    }

    /// Connects `builder`'s client to this target within `timeout`. An
    /// HTTP server that asks for OAuth gets the stored credentials (unless
    /// `--no-auth`); when they do not do, the error is
    /// [`ConnectError::NeedsLogin`].
    pub async fn connect(
        &self,
        builder: ClientBuilder,
        opts: &TargetArgs,
    ) -> Result<Client, ConnectError> {
        let timeout = timeout_of(opts)?;
        let builder = builder
            .mode(mode_of(opts.era))
            .probe_timeout(timeout.min(Duration::from_secs(10)))
            .engine(EngineConfig::default().request_timeout(timeout));
        let connecting = async {
            match self {
                Target::Http { url, headers } => {
                    let mut b = HttpClientTransport::builder(url.clone())
                        .timeout(timeout)
                        .reconnect(RECONNECT);
                    for (k, v) in headers {
                        b = b.header(k.clone(), v.clone());
                    }
                    let mut asked = None;
                    if !opts.no_auth {
                        let (provider, flag) = oauth::stored(url)?;
                        b = b.auth(provider);
                        asked = Some(flag);
                    }
                    let transport = b
                        .build()
                        .map_err(|e| CliError::usage(format!("cannot use {url}: {e}")))?;
                    builder.connect(transport).await.map_err(|e| {
                        if asked.is_some_and(|a| a.load(Ordering::Relaxed)) {
                            ConnectError::NeedsLogin { url: url.clone() }
                        } else {
                            connect_error(url, opts, &e).into()
                        }
                    })
                }
                Target::Tcp { addr } => {
                    let transport =
                        tcp::connect(addr.as_str(), EngineConfig::default().max_message_size)
                            .await
                            .map_err(|e| {
                                CliError::connect(format!("cannot connect to tcp://{addr}: {e}"))
                            })?;
                    builder.connect(transport).await.map_err(|e| {
                        CliError::connect(format!(
                            "cannot connect to tcp://{addr}: {e}{}",
                            timeout_hint(&e)
                        ))
                        .into()
                    })
                }
                Target::Unix { path } => connect_unix(builder, path).await,
                Target::Stdio { program, args, env } => {
                    let mut child = ChildProcess::new(program)
                        .args(args)
                        .shutdown_grace(Duration::from_millis(500));
                    for (k, v) in env {
                        child = child.env(k, v);
                    }
                    let transport = child
                        .spawn()
                        .map_err(|e| CliError::connect(format!("cannot start {program}: {e}")))?;
                    builder.connect(transport).await.map_err(|e| {
                        CliError::connect(format!(
                            "cannot connect to {program}: {e}{}",
                            timeout_hint(&e)
                        ))
                        .into()
                    })
                }
            }
        };
        match tokio::time::timeout(timeout, connecting).await {
            Ok(r) => r,
            Err(_) => Err(CliError::connect(format!(
                "no answer from the server within {timeout:?} (see --timeout)"
            ))
            .into()),
        }
    }
}

/// Connects `builder`'s client to the Unix socket at `path`.
#[cfg(unix)]
async fn connect_unix(builder: ClientBuilder, path: &str) -> Result<Client, ConnectError> {
    let failed = |e: &dyn std::fmt::Display| {
        CliError::connect(format!("cannot connect to unix://{path}: {e}"))
    };
    let max_frame = EngineConfig::default().max_message_size;
    let transport = mcpwire::transport::unix::connect(path, max_frame)
        .await
        .map_err(|e| failed(&e))?;
    builder.connect(transport).await.map_err(|e| {
        CliError::connect(format!(
            "cannot connect to unix://{path}: {e}{}",
            timeout_hint(&e)
        ))
        .into()
    })
}

/// Unix sockets are a Unix feature.
#[cfg(not(unix))]
async fn connect_unix(_builder: ClientBuilder, path: &str) -> Result<Client, ConnectError> {
    Err(CliError::usage(format!(
        "unix://{path}: Unix sockets exist on Unix systems only"
    ))
    .into())
}

/// Why connecting failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The HTTP server at `url` wants an OAuth authorization that the
    /// stored credentials cannot give.
    NeedsLogin {
        /// The server.
        url: String,
    },
    /// Anything else.
    Failed(CliError),
}

impl From<CliError> for ConnectError {
    fn from(e: CliError) -> Self {
        ConnectError::Failed(e)
    }
}

impl From<ConnectError> for CliError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::NeedsLogin { url } => CliError::connect(format!(
                "{url} needs an OAuth authorization; run `mcpwire auth login {url}` \
                 in a terminal (or use a terminal, where mcpwire opens the browser)"
            )),
            ConnectError::Failed(e) => e,
        }
    }
}

/// Why connecting to `url` failed, with what to do about a refused
/// authorization.
fn connect_error(url: &str, opts: &TargetArgs, e: &mcpwire::Error) -> CliError {
    let text = e.to_string();
    let refused = if opts.no_auth && text.contains("HTTP 401") {
        "; the server wants OAuth authorization, which --no-auth refuses"
    } else {
        ""
    };
    CliError::connect(format!(
        "cannot connect to {url}: {text}{refused}{}",
        timeout_hint(e)
    ))
}

/// What to do about a handshake that timed out: the client's own request
/// timeout (the same `--timeout`) may expire just before the overall one.
fn timeout_hint(e: &mcpwire::Error) -> &'static str {
    match e {
        mcpwire::Error::Timeout { .. } => " (see --timeout)",
        _ => "",
    }
}

/// The `--timeout` as a duration.
pub fn timeout_of(opts: &TargetArgs) -> Result<Duration, CliError> {
    seconds(opts.timeout, "--timeout")
}

/// A positive number of seconds given to `flag`, as a duration.
pub fn seconds(value: f64, flag: &str) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            CliError::usage(format!(
                "{flag} {value} is not a positive number of seconds"
            ))
        })
}

fn mode_of(era: EraArg) -> ClientMode {
    match era {
        EraArg::Auto => ClientMode::Auto,
        EraArg::Legacy => ClientMode::Legacy,
        EraArg::Modern => ClientMode::Pinned(ProtocolVersion::V2026_07_28),
    }
}

/// Splits `K<sep>V`, trimming spaces around both (headers are `Name: value`).
fn parse_pair(s: &str, sep: char, option: &str, form: &str) -> Result<(String, String), CliError> {
    match s.split_once(sep) {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(CliError::usage(format!("{option} {s:?}: expected {form}"))),
    }
}

/// Every entry of the config file `file`, by name (for `inspect`, whose
/// page offers them).
pub fn config_entries(file: &str) -> Result<Vec<(String, Target)>, CliError> {
    let config = read_config(file)?;
    config
        .mcp_servers
        .keys()
        .map(|name| Ok((name.clone(), entry_of(&config, file, name)?)))
        .collect()
}

impl Target {
    /// The same target, as the inspector takes it; the inspector reaches
    /// no `tcp://` or `unix://` server yet.
    pub fn for_inspector(&self) -> Result<mcpwire_inspect::servers::Target, CliError> {
        match self.clone() {
            Target::Http { url, headers } => {
                Ok(mcpwire_inspect::servers::Target::Http { url, headers })
            }
            Target::Stdio { program, args, env } => {
                Ok(mcpwire_inspect::servers::Target::Stdio { program, args, env })
            }
            Target::Tcp { addr } => Ok(mcpwire_inspect::servers::Target::Tcp { addr }),
            Target::Unix { path } => Ok(mcpwire_inspect::servers::Target::Unix { path }),
        }
    }
}

fn read_config(file: &str) -> Result<ConfigFile, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::usage(format!("cannot read config file {file}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "config file {file} is not {{\"mcpServers\": {{...}}}}: {e}"
        ))
    })
}

fn from_config(file: &str, name: &str) -> Result<Target, CliError> {
    entry_of(&read_config(file)?, file, name)
}

/// The entry `name` of `config` (read from `file`).
fn entry_of(config: &ConfigFile, file: &str, name: &str) -> Result<Target, CliError> {
    let Some(entry) = config.mcp_servers.get(name) else {
        let known: Vec<&str> = config.mcp_servers.keys().map(String::as_str).collect();
        return Err(CliError::usage(format!(
            "config file {file} has no server {name:?}; it has: {}",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    };
    let entry = ServerEntry::deserialize(entry).map_err(|_| {
        CliError::usage(format!(
            "server {name:?} in {file} needs either \"command\" (with optional \"args\", \"env\") \
             or \"url\" (with optional \"headers\")"
        ))
    })?;
    Ok(match entry {
        ServerEntry::Stdio { command, args, env } => Target::Stdio {
            program: command,
            args,
            env: env.into_iter().collect(),
        },
        ServerEntry::Http { url, headers } => from_url(url, headers.into_iter().collect())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_leading_url_only() {
        let none = TargetArgs::default();
        let w = vec!["http://x/mcp".to_owned(), "echo".to_owned()];
        let (url, rest) = split_url(&w, &none);
        assert_eq!(url.as_deref(), Some("http://x/mcp"));
        assert_eq!(rest, &w[1..]);
        let w = vec!["echo".to_owned(), "http://x".to_owned()];
        assert_eq!(split_url(&w, &none).0, None);
        // with a command as the target, a leading URL belongs to the verb
        let cmd = TargetArgs {
            command: vec!["server".into()],
            ..TargetArgs::default()
        };
        let w = vec!["https://example.com/doc".to_owned()];
        assert_eq!(split_url(&w, &cmd), (None, &w[..]));
    }

    #[test]
    fn socket_urls_name_their_targets_and_malformed_ones_are_refused() {
        let tcp = from_url("tcp://127.0.0.1:7000".into(), Vec::new()).unwrap();
        assert_eq!(
            tcp,
            Target::Tcp {
                addr: "127.0.0.1:7000".into()
            }
        );
        let unix = from_url("unix:///run/x.sock".into(), Vec::new()).unwrap();
        assert_eq!(
            unix,
            Target::Unix {
                path: "/run/x.sock".into()
            }
        );
        for bad in [
            "tcp://127.0.0.1",
            "tcp://:7000",
            "tcp://h:port",
            "unix://run/x.sock",
            "unix://",
        ] {
            assert!(from_url(bad.into(), Vec::new()).is_err(), "{bad}");
        }
        let headers = vec![("A".to_owned(), "b".to_owned())];
        assert!(from_url("tcp://h:1".into(), headers).is_err());
        assert!(is_url("tcp://h:1") && is_url("unix:///x") && !is_url("echo"));
    }

    #[test]
    fn headers_and_env_parse_and_reject_malformed() {
        assert_eq!(
            parse_pair("Authorization: Bearer x", ':', "--header", "").unwrap(),
            ("Authorization".into(), "Bearer x".into())
        );
        assert_eq!(
            parse_pair("A=b=c", '=', "--env", "").unwrap(),
            ("A".into(), "b=c".into())
        );
        assert!(parse_pair("novalue", '=', "--env", "").is_err());
        assert!(parse_pair("=v", '=', "--env", "").is_err());
    }
}
