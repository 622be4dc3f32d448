//! What a server declares: the capabilities its routes imply, plus what
//! each extension adds, and the quick answer to "is this capability
//! declared?" that the router needs on every request.

use std::sync::atomic::Ordering;

use mcpwire_types::request::Capability;
use mcpwire_types::{
    Era, PromptsCapability, ResourcesCapability, ServerCapabilities, ToolsCapability,
};

use serde_json::json;

use super::Server;

/// The capabilities the registry offers, as bits of one word (kept in
/// `ServerInner::offered`).
pub(crate) struct Offered;

impl Offered {
    pub(crate) const TOOLS: u32 = 1;
    pub(crate) const PROMPTS: u32 = 1 << 1;
    pub(crate) const RESOURCES: u32 = 1 << 2;
    pub(crate) const COMPLETIONS: u32 = 1 << 3;
    /// Some tool may run as a task.
    pub(crate) const TASKS: u32 = 1 << 4;
    /// Some tool names an MCP App.
    pub(crate) const APPS: u32 = 1 << 5;
}

impl Server {
    /// The bits of what the registry offers now.
    pub(crate) fn offered(&self) -> u32 {
        self.inner.offered.load(Ordering::Relaxed)
    }

    /// Everything the server declares in `era`: the capabilities of its
    /// routes, then each extension's, in order.
    pub(crate) fn capabilities(&self, era: Era) -> ServerCapabilities {
        let bits = self.offered();
        let mut caps = ServerCapabilities {
            logging: Some(Default::default()),
            ..Default::default()
        };
        if bits & Offered::TOOLS != 0 {
            caps.tools = Some(ToolsCapability {
                list_changed: Some(true),
            });
        }
        if bits & Offered::RESOURCES != 0 {
            caps.resources = Some(ResourcesCapability {
                subscribe: None,
                list_changed: Some(true),
            });
        }
        if bits & Offered::PROMPTS != 0 {
            caps.prompts = Some(PromptsCapability {
                list_changed: Some(true),
            });
        }
        if bits & Offered::COMPLETIONS != 0 {
            caps.completions = Some(Default::default());
        }
        if bits & Offered::APPS != 0 {
            // MCP Apps has no settings on the server's side.
            caps.extensions
                .get_or_insert_with(Default::default)
                .insert(mcpwire_types::apps::EXTENSION_ID.to_owned(), json!({}));
        }
        for ext in &self.inner.extensions {
            ext.declare(self, era, &mut caps);
        }
        caps
    }

    /// Whether the server declares `cap` in `era`. The routes' own
    /// capabilities are read from one word; only a capability they do not
    /// give (which an extension may) costs a full declaration.
    pub(crate) fn declares(&self, cap: Capability, era: Era) -> bool {
        let bits = self.offered();
        let bit = match cap {
            Capability::Logging => return true,
            Capability::Tools => Offered::TOOLS,
            Capability::Prompts => Offered::PROMPTS,
            Capability::Resources => Offered::RESOURCES,
            Capability::Completions => Offered::COMPLETIONS,
            _ => 0,
        };
        if bits & bit != 0 {
            return true;
        }
        let caps = self.capabilities(era);
        match cap {
            Capability::Tools => caps.tools.is_some(),
            Capability::Prompts => caps.prompts.is_some(),
            Capability::Resources => caps.resources.is_some(),
            Capability::ResourceSubscriptions => {
                caps.resources.is_some_and(|r| r.subscribe == Some(true))
            }
            Capability::Completions => caps.completions.is_some(),
            Capability::Tasks => caps.tasks.is_some(),
            Capability::Extension(id) => caps.extensions.is_some_and(|e| e.contains_key(id)),
            // The client's capabilities, never the server's.
            _ => false,
        }
    }
}
