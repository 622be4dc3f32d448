//! The method router: which route serves a method, in which era, under
//! which capability, and whether its stateless results carry cache hints.
//!
//! Core methods are found by one `match` on the method name, each bound to
//! its [`Request`] type, so their names and capabilities are those of
//! `mcpwire_types::request`. Anything else is looked up in the
//! extensions' routes. A method that no route serves in the request's era,
//! or whose capability the server does not declare, answers `-32601 Method
//! not found`, as the specification asks of completion and roots and this
//! server does for every capability.

use mcpwire_types::request::{Capability, Request, requests};
use mcpwire_types::{Era, methods};

use super::extension::Eras;
use super::session::Connection;
use mcpwire_rpc::Error;

/// A core method: one the server serves itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Core {
    Initialize,
    Ping,
    Discover,
    ListTools,
    CallTool,
    ListPrompts,
    GetPrompt,
    ListResources,
    ListTemplates,
    ReadResource,
    Complete,
    SetLevel,
}

/// A core method's place in the table.
pub(crate) struct CoreRoute {
    pub(crate) core: Core,
    pub(crate) method: &'static str,
    capability: Option<Capability>,
    eras: Eras,
    cacheable: bool,
}

const fn core<R: Request>(core: Core, eras: Eras, cacheable: bool) -> CoreRoute {
    CoreRoute {
        core,
        method: R::METHOD,
        capability: R::CAPABILITY,
        eras,
        cacheable,
    }
}

use Eras as E;
use requests as r;

static INITIALIZE: CoreRoute = core::<r::Initialize>(Core::Initialize, E::SESSION, false);
static PING: CoreRoute = core::<r::Ping>(Core::Ping, E::SESSION, false);
static DISCOVER: CoreRoute = core::<r::Discover>(Core::Discover, E::STATELESS, true);
static LIST_TOOLS: CoreRoute = core::<r::ListTools>(Core::ListTools, E::BOTH, true);
static CALL_TOOL: CoreRoute = core::<r::CallTool>(Core::CallTool, E::BOTH, false);
static LIST_PROMPTS: CoreRoute = core::<r::ListPrompts>(Core::ListPrompts, E::BOTH, true);
static GET_PROMPT: CoreRoute = core::<r::GetPrompt>(Core::GetPrompt, E::BOTH, false);
static LIST_RESOURCES: CoreRoute = core::<r::ListResources>(Core::ListResources, E::BOTH, true);
static LIST_TEMPLATES: CoreRoute =
    core::<r::ListResourceTemplates>(Core::ListTemplates, E::BOTH, true);
static READ_RESOURCE: CoreRoute = core::<r::ReadResource>(Core::ReadResource, E::BOTH, true);
static COMPLETE: CoreRoute = core::<r::Complete>(Core::Complete, E::BOTH, false);
static SET_LEVEL: CoreRoute = core::<r::SetLevel>(Core::SetLevel, E::SESSION, false);

/// The core route of `method`, if it is a core method.
fn core_route(method: &str) -> Option<&'static CoreRoute> {
    Some(match method {
        methods::TOOLS_CALL => &CALL_TOOL,
        methods::TOOLS_LIST => &LIST_TOOLS,
        methods::RESOURCES_READ => &READ_RESOURCE,
        methods::PROMPTS_GET => &GET_PROMPT,
        methods::RESOURCES_LIST => &LIST_RESOURCES,
        methods::RESOURCES_TEMPLATES_LIST => &LIST_TEMPLATES,
        methods::PROMPTS_LIST => &LIST_PROMPTS,
        methods::COMPLETION_COMPLETE => &COMPLETE,
        methods::PING => &PING,
        methods::INITIALIZE => &INITIALIZE,
        methods::SERVER_DISCOVER => &DISCOVER,
        methods::LOGGING_SET_LEVEL => &SET_LEVEL,
        _ => return None,
    })
}

/// What serves a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Core(Core),
    /// The extension at this index of the server's list.
    Extension(usize),
}

/// The route a request takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) target: Target,
    /// Whether its stateless results carry cache hints.
    pub(crate) cacheable: bool,
}

/// `-32601` for a method the server knows but does not declare.
fn undeclared(method: &str, what: &str) -> Error {
    Error::rpc(
        mcpwire_types::ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: {method} (this server does not declare {what})"),
    )
}

fn capability_name(cap: Capability) -> String {
    match cap {
        Capability::Tools => "tools".into(),
        Capability::Prompts => "prompts".into(),
        Capability::Resources => "resources".into(),
        Capability::ResourceSubscriptions => "resources.subscribe".into(),
        Capability::Logging => "logging".into(),
        Capability::Completions => "completions".into(),
        Capability::Tasks => "tasks".into(),
        Capability::Extension(id) => format!("the {id} extension"),
        other => format!("{other:?}"),
    }
}

impl Connection {
    /// The route of `method` in `era`: `-32601` when no route serves it
    /// there, or when its capability is not declared.
    pub(crate) fn route(&self, method: &str, era: Era) -> Result<Route, Error> {
        let server = &self.server;
        if let Some(c) = core_route(method) {
            if !c.eras.includes(era) {
                return Err(Error::method_not_found(method));
            }
            if let Some(cap) = c.capability
                && !server.declares(cap, era)
            {
                return Err(undeclared(method, &capability_name(cap)));
            }
            return Ok(Route {
                method: c.method,
                target: Target::Core(c.core),
                cacheable: c.cacheable,
            });
        }
        for (i, ext) in server.inner.extensions.iter().enumerate() {
            let Some(r) = ext.routes().iter().find(|r| r.method() == method) else {
                continue;
            };
            if !r.eras().includes(era) {
                return Err(Error::method_not_found(method));
            }
            if !ext.declared(server, era) {
                return Err(undeclared(method, "the extension it belongs to"));
            }
            return Ok(Route {
                method: r.method(),
                target: Target::Extension(i),
                cacheable: r.is_cacheable(),
            });
        }
        Err(Error::method_not_found(method))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every core route is found by its own method name, and by no other.
    #[test]
    fn the_table_finds_each_route_by_its_name() {
        let all = [
            &INITIALIZE,
            &PING,
            &DISCOVER,
            &LIST_TOOLS,
            &CALL_TOOL,
            &LIST_PROMPTS,
            &GET_PROMPT,
            &LIST_RESOURCES,
            &LIST_TEMPLATES,
            &READ_RESOURCE,
            &COMPLETE,
            &SET_LEVEL,
        ];
        for route in all {
            let found = core_route(route.method).expect(route.method);
            assert_eq!(found.core, route.core, "{}", route.method);
        }
        assert!(core_route("tools/lis").is_none());
        assert!(core_route("").is_none());
    }

    #[test]
    fn cacheable_methods_are_the_lists_reads_and_discover() {
        let cacheable: Vec<&str> = [
            &INITIALIZE,
            &DISCOVER,
            &LIST_TOOLS,
            &CALL_TOOL,
            &READ_RESOURCE,
            &COMPLETE,
        ]
        .iter()
        .filter(|r| r.cacheable)
        .map(|r| r.method)
        .collect();
        assert_eq!(
            cacheable,
            ["server/discover", "tools/list", "resources/read"]
        );
    }
}
