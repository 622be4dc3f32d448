//! `tools/list`, `resources/list`, `resources/templates/list` and
//! `prompts/list`: pages of the registry, each built once and kept until
//! its list changes.
//!
//! A page is built (its definitions copied and serialized) the first time
//! a client asks for it, and every later request for it shares that
//! answer, written out without being copied. Any change to a list drops its pages. The cache holds at
//! most one answer per page of the list as it is, so it never holds more
//! than the list itself, serialized once; the tool list alone is kept in
//! two forms, with the tools' `_meta.ui` for clients that declared MCP
//! Apps and without it for the others. Pages that start anywhere but a
//! page boundary (cursors no answer of this server gave) are built each
//! time.

use std::sync::{Arc, OnceLock};

use mcpwire_types::{
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams,
};
use serde_json::Value;

use super::params::{page_end, page_start, params, to_value};
use super::read;
use super::registry::Registry;
use super::session::Connection;
use super::tool::ToolRoute;
use mcpwire_rpc::Error;

/// One of the lists a client can page through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Tools = 0,
    Resources = 1,
    Templates = 2,
    Prompts = 3,
    /// The tools as a client without MCP Apps sees them: without their
    /// `_meta.ui`. Changes with [`List::Tools`].
    ToolsWithoutUi = 4,
}

/// The pages of one list, made when first asked for.
type Pages = OnceLock<Box<[OnceLock<Arc<Value>>]>>;

/// The cached pages of every list.
#[derive(Default)]
pub(crate) struct ListPages([Pages; 5]);

impl ListPages {
    /// Forgets the pages of `list`, which changed.
    pub(crate) fn clear(&mut self, list: List) {
        self.0[list as usize] = OnceLock::new();
        if list == List::Tools {
            self.0[List::ToolsWithoutUi as usize] = OnceLock::new();
        }
    }

    /// Where the page of `list` that starts at `start` is kept, if it
    /// starts on a page boundary.
    fn slot(
        &self,
        list: List,
        start: usize,
        len: usize,
        size: Option<usize>,
    ) -> Option<&OnceLock<Arc<Value>>> {
        let index = match size {
            _ if start == 0 => 0,
            Some(s) if start.is_multiple_of(s) => start / s,
            _ => return None,
        };
        let count = size.map_or(1, |s| len.div_ceil(s).max(1));
        let pages =
            self.0[list as usize].get_or_init(|| (0..count).map(|_| OnceLock::new()).collect());
        pages.get(index)
    }
}

impl Registry {
    fn len(&self, list: List) -> usize {
        match list {
            List::Tools | List::ToolsWithoutUi => self.tools.len(),
            List::Resources => self.resources.len(),
            List::Templates => self.templates.len(),
            List::Prompts => self.prompts.len(),
        }
    }

    /// The answer for the page of `list` that starts at `start`.
    fn build_page(&self, list: List, start: usize, size: Option<usize>) -> Result<Value, Error> {
        let (end, next_cursor) = page_end(start, self.len(list), size);
        let n = end - start;
        match list {
            List::Tools => {
                let tools = self.tools.values().skip(start).take(n);
                let mut r = ListToolsResult::new(tools.map(|t| t.def.clone()).collect());
                r.next_cursor = next_cursor;
                to_value(&r)
            }
            List::ToolsWithoutUi => {
                let tools = self.tools.values().skip(start).take(n);
                let plain = |t: &ToolRoute| match t.def.has_ui() {
                    true => t.def.without_ui(),
                    false => t.def.clone(),
                };
                let mut r = ListToolsResult::new(tools.map(|t| plain(t)).collect());
                r.next_cursor = next_cursor;
                to_value(&r)
            }
            List::Resources => to_value(&ListResourcesResult {
                resources: self
                    .resources
                    .values()
                    .skip(start)
                    .take(n)
                    .map(|r| r.def.clone())
                    .collect(),
                next_cursor,
                ..Default::default()
            }),
            List::Templates => to_value(&ListResourceTemplatesResult {
                resource_templates: self.templates[start..end]
                    .iter()
                    .map(|t| t.def.clone())
                    .collect(),
                next_cursor,
                ..Default::default()
            }),
            List::Prompts => to_value(&ListPromptsResult {
                prompts: self
                    .prompts
                    .values()
                    .skip(start)
                    .take(n)
                    .map(|p| p.def.clone())
                    .collect(),
                next_cursor,
                ..Default::default()
            }),
        }
    }
}

impl Connection {
    /// The tool list a request in `era` with `params` gets: with the
    /// tools' UIs when its client declared MCP Apps, without them
    /// otherwise.
    pub(crate) fn tool_list(&self, era: mcpwire_types::Era, params: Option<&Value>) -> List {
        let apps = match era {
            mcpwire_types::Era::Session => self.state.client_supports_apps(),
            mcpwire_types::Era::Stateless => super::context::stateless_declares_apps(
                params
                    .and_then(|p| p.get("_meta"))
                    .and_then(Value::as_object),
            ),
        };
        if apps {
            List::Tools
        } else {
            List::ToolsWithoutUi
        }
    }

    /// Serves one page of `list`.
    pub(crate) fn list(&self, list: List, p: Option<Value>) -> Result<Arc<Value>, Error> {
        let p: PaginatedRequestParams = params(p)?;
        let size = self.server.inner.page_size;
        let registry = read(&self.server.inner.registry);
        let len = registry.len(list);
        let start = page_start(p.cursor.as_deref(), len)?;
        let Some(slot) = registry.pages.slot(list, start, len, size) else {
            return registry.build_page(list, start, size).map(Arc::new);
        };
        if let Some(page) = slot.get() {
            return Ok(page.clone());
        }
        let page = Arc::new(registry.build_page(list, start, size)?);
        Ok(slot.get_or_init(|| page).clone())
    }
}
