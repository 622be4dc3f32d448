//! The command line: verbs, target options and their help text.

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_CODES_HELP;

/// The long help's closing section: targets, then exit codes.
const AFTER_HELP: &str = "\
Targets (every verb takes one):
  URL                      Streamable HTTP, falling back to HTTP+SSE (2024-11-05);
                           right after the verb: `mcpwire call URL TOOL key=value`.
                           A server that asks for OAuth gets the stored credentials
                           (`mcpwire auth login URL`), or on a terminal the browser
                           flow; --no-auth refuses
  tcp://HOST:PORT          a server listening on TCP, one JSON-RPC message per line
  unix:///PATH             a server listening on a Unix socket, one message per line
  -- CMD ARGS...           a stdio server started as a child process
  --config FILE --server NAME
                           an entry of {\"mcpServers\": {NAME: {\"command\",\"args\",\"env\"} | {\"url\",\"headers\"}}}

Examples:
  mcpwire info -- ./my-server --stdio
  mcpwire tools https://example.com/mcp --header 'Authorization: Bearer TOKEN'
  mcpwire auth login https://example.com/mcp
  mcpwire call echo text=hello -- node server.js
  mcpwire call http://127.0.0.1:8080/mcp add --args '{\"a\": 1, \"b\": 2}'
  mcpwire call tcp://127.0.0.1:7000 echo text=hello
  mcpwire test smoke.json --junit report.xml -- ./my-server --stdio
  mcpwire bench --tool echo --args '{\"text\":\"hi\"}' --calls 20000 --concurrency 32 -- ./echo stdio
";

/// A command-line client for Model Context Protocol servers: inspect them,
/// call their tools, read their resources and load-test them.
#[derive(Debug, Parser)]
#[command(name = "mcpwire", version, about, after_help = format!("{AFTER_HELP}\n{EXIT_CODES_HELP}"))]
pub struct Cli {
    /// Print one JSON document on stdout instead of tables and text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Never use colours, even on a terminal (NO_COLOR works too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// What to do.
    #[command(subcommand)]
    pub verb: Verb,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Verb {
    /// Server name and version, protocol revision, capabilities, instructions.
    Info(Plain),
    /// List the tools (every page).
    Tools(Plain),
    /// List the resources (every page).
    Resources(Plain),
    /// List the resource templates (every page).
    Templates(Plain),
    /// List the prompts (every page).
    Prompts(Plain),
    /// Call a tool: `call TOOL [key=value...] [--args JSON]`. Values are
    /// parsed as the tool's input schema says (numbers, booleans, objects,
    /// arrays, null); strings stay strings.
    Call(Call),
    /// Read a resource: `read URI`.
    Read(Read),
    /// Get a prompt: `prompt NAME [key=value...]`.
    Prompt(PromptArgs),
    /// Ask for completions of a prompt or resource template argument.
    Complete(Complete),
    /// Print list changes and resource updates as they arrive, until Ctrl-C
    /// (with --json: one JSON object per line).
    Watch(Watch),
    /// Check that the server answers (`ping` in a session; a listing in
    /// the stateless era, which has no ping).
    Ping(Plain),
    /// Load-test one tool: many calls, some at a time; prints throughput
    /// and latency percentiles.
    Bench(Bench),
    /// Serve a demo server over stdio, or over Streamable HTTP with --http
    /// (several instances sharing one endpoint with --redis URL).
    Serve(Serve),
    /// Run the support desk agent flow end to end: list, read tickets, get
    /// the resolution prompt, close ticket 42, read it again. `demo sql`
    /// runs the traced SQL query on the sample database instead.
    Demo(Demo),
    /// Bridge transports: `proxy --listen ADDR -- CMD...` serves a stdio
    /// server over Streamable HTTP (both protocol eras); `proxy URL` serves
    /// a remote HTTP server on this process's stdin and stdout.
    Proxy(Proxy),
    /// OAuth credentials of HTTP servers: `auth login URL` authorizes in
    /// the browser, `auth status URL` shows what is stored, `auth logout
    /// URL` forgets it. The file is ~/.config/mcpwire/credentials.json
    /// (mode 0600; MCPWIRE_CREDENTIALS overrides it).
    Auth(Auth),
    /// A web inspector in the browser: `inspect [URL | -- CMD... | --config
    /// FILE [--server NAME]]`. Serves a page on 127.0.0.1 (the first line on
    /// stdout is its URL, with a per-launch token) showing the servers,
    /// their tools with forms, and every JSON-RPC message. Without a
    /// target the page asks for one (and lists --config's entries).
    Inspect(Inspect),
    /// Run a collection (saved requests with expectations) against the
    /// server, for CI.
    ///
    /// `test FILE [URL | -- CMD | --config FILE --server NAME] [--junit
    /// PATH]` prints a line per step (PASS/FAIL, name, time, why) and a
    /// summary, and exits with code 6 when a step fails. FILE is a
    /// collection ({"mcpwireCollection": 1, "name", "steps": [{"name",
    /// "method", "params", "expect"}]}) or a protocol log the inspector
    /// exported, replayed with each request expecting its recorded answer.
    Test(Test),
}

/// `test`.
#[derive(Debug, Args)]
pub struct Test {
    /// The collection, or an exported protocol log (at most 16 MiB).
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// The server URL (or use `-- CMD` / `--config`).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Also write the results as JUnit XML to this file (one test suite,
    /// a test case per step).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct Inspect {
    /// The server URL (or use `-- CMD` / `--config`); none: the page asks.
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// The port on 127.0.0.1 (0: any free one).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
    /// Do not open a browser; only print the URL.
    #[arg(long)]
    pub no_open: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `auth`.
#[derive(Debug, Args)]
pub struct Auth {
    /// What to do.
    #[command(subcommand)]
    pub action: AuthAction,
}

/// `auth login|logout|status`.
#[derive(Debug, Subcommand)]
pub enum AuthAction {
    /// Authorize now: print the authorization URL (and open it in a browser
    /// on a terminal), wait for the redirect, store the tokens.
    Login(AuthTarget),
    /// Forget the stored credentials of the server.
    Logout(AuthTarget),
    /// Show the stored credentials of the server (never the tokens).
    Status(AuthTarget),
}

/// The server an `auth` action is about.
#[derive(Debug, Args)]
pub struct AuthTarget {
    /// The MCP server URL.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Seconds to wait for the browser's redirect (login).
    #[arg(long, value_name = "SECS", default_value_t = 300.0)]
    pub timeout: f64,
}

/// `serve`: which demo server.
#[derive(Debug, Args)]
pub struct Serve {
    /// The server to run.
    #[command(subcommand)]
    pub server: DemoServer,
}

/// The demo servers.
#[derive(Debug, Subcommand)]
pub enum DemoServer {
    /// The support desk: tickets in a SQLite file, created and seeded on
    /// first run.
    SupportDesk {
        /// The database file.
        #[arg(long, default_value = "support-desk.db")]
        db: std::path::PathBuf,
        /// Serve Streamable HTTP on this address (e.g. 127.0.0.1:8080;
        /// the endpoint is /mcp) instead of stdio. Once it listens, the
        /// endpoint's URL is printed as one line on stdout (with port 0
        /// the system picks a free one).
        #[arg(long, value_name = "ADDR")]
        http: Option<String>,
        #[command(flatten)]
        redis: RedisArgs,
        /// OAuth: require bearer tokens over HTTP.
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Read-only SQL over an existing SQLite file (--db FILE), or over the
    /// sample database built in memory (--sample).
    #[command(
        after_help = SQLITE_AFTER_HELP,
        group(ArgGroup::new("database").required(true).args(["db", "sample"])),
    )]
    Sqlite {
        /// The database file, opened read-only and never written.
        #[arg(long, value_name = "FILE")]
        db: Option<std::path::PathBuf>,
        /// Serve the sample database instead of a file: a bookshop
        /// (authors, books, orders, the view sales) and its users (user 123
        /// is John Doe), built in memory for this run. No file is read,
        /// created or overwritten.
        #[arg(long, conflicts_with = "db")]
        sample: bool,
        /// Serve Streamable HTTP on this address instead of stdio (the
        /// endpoint's URL is printed on stdout once it listens).
        #[arg(long, value_name = "ADDR")]
        http: Option<String>,
        #[command(flatten)]
        redis: RedisArgs,
    },
}

/// The shared-state option of `serve ... --http`.
#[derive(Debug, Clone, Default, Args)]
pub struct RedisArgs {
    /// With --http: share sessions, resumable streams, tasks and
    /// notifications with every other instance started with the same
    /// Redis, so that any number of them serve one endpoint behind a load
    /// balancer with no stickiness. A URL redis://[user:password@]host:port
    /// of a Redis server or of any node of a Redis Cluster. Without it,
    /// MCPWIRE_REDIS_URL is used when set (and ignored over stdio).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
}

/// `serve sqlite --help`'s closing section.
const SQLITE_AFTER_HELP: &str = "\
Tools and resources:
  sql_query {query, params}   one read-only statement; rows as structured content
                              and a text table (500 rows, 2 s, 4 MiB at most)
  sqlite://schema, sqlite://table/{name}

Examples:
  mcpwire serve sqlite --sample
  mcpwire serve sqlite --db shop.db --http 127.0.0.1:8081
  mcpwire serve sqlite --db shop.db --http 127.0.0.1:8082 --redis redis://127.0.0.1:6379
  mcpwire call sql_query --args '{\"query\": \"SELECT * FROM users WHERE id = ?\", \"params\": [123]}' \\
      -- mcpwire serve sqlite --sample
";

/// The OAuth resource-server options of `serve ... --http` and `proxy
/// --listen`: all of `--auth-jwks`, `--auth-issuer` and `--auth-audience`,
/// or none.
#[derive(Debug, Clone, Default, Args)]
pub struct AuthArgs {
    /// Require a JWT access token signed by a key of this JWKS: a file
    /// path, or an http(s) URL (the authorization server's jwks_uri).
    #[arg(long, value_name = "FILE|URL")]
    pub auth_jwks: Option<String>,
    /// The authorization server that issues the tokens (their `iss`);
    /// advertised in the protected resource metadata.
    #[arg(long, value_name = "ISS")]
    pub auth_issuer: Option<String>,
    /// This server's resource identifier (the tokens' `aud`), usually the
    /// public URL of its /mcp endpoint.
    #[arg(long, value_name = "AUD")]
    pub auth_audience: Option<String>,
    /// A scope every request's token must grant (repeatable).
    #[arg(long = "auth-scope", value_name = "SCOPE")]
    pub auth_scopes: Vec<String>,
    /// Scopes a call of one tool needs on top of the --auth-scope ones,
    /// `TOOL=SCOPE[,SCOPE...]`, e.g. `close_ticket=tickets:write`
    /// (repeatable; repeating a tool adds to its scopes). A token without
    /// them gets 403 insufficient_scope naming what is missing.
    #[arg(long = "auth-tool-scope", value_name = "TOOL=SCOPES")]
    pub auth_tool_scopes: Vec<String>,
}

/// `demo [sql]`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Demo {
    /// The support desk flow: use this database instead of a fresh
    /// temporary one.
    #[arg(long)]
    pub db: Option<std::path::PathBuf>,
    /// Another demo instead of the support desk flow.
    #[command(subcommand)]
    pub flow: Option<DemoFlow>,
}

/// The demos other than the support desk flow.
#[derive(Debug, Subcommand)]
pub enum DemoFlow {
    /// The traced SQL query: start `mcpwire serve sqlite --sample` over
    /// stdio, run `SELECT * FROM users WHERE id = ?` with [123] through
    /// sql_query, print the rows and the time of each step (spawn,
    /// handshake, call) and in all.
    Sql,
}

/// `proxy`.
#[derive(Debug, Args)]
pub struct Proxy {
    /// Serve the stdio server given after `--` on this address (the
    /// endpoint is /mcp). An address other than loopback needs --auth-*
    /// or --allow-unauthenticated.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// With --listen: at most N client sessions at once, each with a
    /// server process of its own (default 64); past it, `initialize` gets
    /// 503. The one process shared by 2026-07-28 requests comes on top.
    #[arg(long, value_name = "N")]
    pub max_sessions: Option<usize>,
    /// With --listen: serve an address other than loopback without
    /// --auth-*, so that anyone who can reach it may use the server.
    #[arg(long)]
    pub allow_unauthenticated: bool,
    /// With --listen, OAuth: require bearer tokens.
    #[command(flatten)]
    pub auth: AuthArgs,
    /// With --listen: serve as one of several instances behind a load
    /// balancer with no stickiness, all started with the same Redis. A
    /// session's server process lives in the instance that opened it;
    /// the others forward its requests there through Redis. When that
    /// instance stops, its sessions end (clients get 404 and initialize
    /// again). A URL redis://[user:password@]host:port of a Redis server
    /// or of any node of a Redis Cluster. Without it, MCPWIRE_REDIS_URL
    /// is used when set.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// The remote Streamable HTTP server to serve on stdio.
    pub url: Option<String>,
    /// A header for the remote server, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// The stdio server to serve over HTTP.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// How to reach the server; shared by every verb.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// A config file in the `mcpServers` format (with --server).
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// The entry of the config file to use.
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,
    /// An HTTP header for every request, `Name: value` (repeatable).
    #[arg(long = "header", short = 'H', value_name = "K:V")]
    pub headers: Vec<String>,
    /// An environment variable for a stdio server, `KEY=VALUE` (repeatable).
    #[arg(long = "env", short = 'e', value_name = "K=V")]
    pub env: Vec<String>,
    /// Seconds to wait for connecting and for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Which protocol era to speak.
    #[arg(long, value_enum, default_value_t = EraArg::Auto)]
    pub era: EraArg,
    /// Never authorize with OAuth: a server that asks for it is an error.
    #[arg(long)]
    pub no_auth: bool,
    /// The stdio server to start: everything after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// `--era`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum EraArg {
    /// Probe with server/discover, fall back to initialize.
    #[default]
    Auto,
    /// Always open a session with initialize (up to 2025-11-25).
    Legacy,
    /// Speak the stateless 2026-07-28 revision.
    Modern,
}

/// A verb with no arguments of its own.
#[derive(Debug, Args)]
pub struct Plain {
    /// The server URL (or use `-- CMD` / `--config`).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `call`.
#[derive(Debug, Args)]
pub struct Call {
    /// `[URL] TOOL [key=value...]`.
    #[arg(value_name = "ARGS", required = true)]
    pub words: Vec<String>,
    /// The arguments as one JSON object, sent as given.
    #[arg(long = "args", value_name = "JSON")]
    pub args_json: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `read`.
#[derive(Debug, Args)]
pub struct Read {
    /// `[URL] URI`.
    #[arg(value_name = "ARGS", required = true)]
    pub words: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `prompt`.
#[derive(Debug, Args)]
pub struct PromptArgs {
    /// `[URL] NAME [key=value...]`.
    #[arg(value_name = "ARGS", required = true)]
    pub words: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `complete`.
#[derive(Debug, Args)]
pub struct Complete {
    /// The server URL (or use `-- CMD` / `--config`).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Complete an argument of this prompt.
    #[arg(long, value_name = "NAME", conflicts_with = "resource")]
    pub prompt: Option<String>,
    /// Complete a variable of this resource template (its URI template).
    #[arg(long, value_name = "TEMPLATE")]
    pub resource: Option<String>,
    /// The argument and what has been typed so far, `NAME=PARTIAL`.
    #[arg(long, value_name = "NAME=PARTIAL")]
    pub arg: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `watch`.
#[derive(Debug, Args)]
pub struct Watch {
    /// The server URL (or use `-- CMD` / `--config`).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Also subscribe to updates of this resource (repeatable).
    #[arg(long = "resource", value_name = "URI")]
    pub resources: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `bench`.
#[derive(Debug, Args)]
pub struct Bench {
    /// The server URL (or use `-- CMD` / `--config`).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// The tool to call.
    #[arg(long)]
    pub tool: String,
    /// The tool's arguments, one JSON object.
    #[arg(long = "args", value_name = "JSON", default_value = "{}")]
    pub args_json: String,
    /// How many calls to make.
    #[arg(long, default_value_t = 10_000)]
    pub calls: usize,
    /// How many calls are in flight at once.
    #[arg(long, short = 'c', default_value_t = 32)]
    pub concurrency: usize,
    /// Calls made before measuring, to warm up both sides.
    #[arg(long, default_value_t = 500)]
    pub warmup: usize,
    #[command(flatten)]
    pub target: TargetArgs,
}
