//! `tools/list`, `resources/list`, `resources/templates/list` and
//! `prompts/list`: pages of the registry, copied once each.

use mcpwire_types::{
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams,
};
use serde_json::Value;

use super::params::{page_end, page_start, params, to_value};
use super::read;
use super::registry::Registry;
use super::session::Connection;
use mcpwire_rpc::Error;

/// One of the lists a client can page through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Tools = 0,
    Resources = 1,
    Templates = 2,
    Prompts = 3,
}

impl Registry {
    fn len(&self, list: List) -> usize {
        match list {
            List::Tools => self.tools.len(),
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
    /// Serves one page of `list`.
    pub(crate) fn list(&self, list: List, p: Option<Value>) -> Result<Value, Error> {
        let p: PaginatedRequestParams = params(p)?;
        let size = self.server.inner.page_size;
        let registry = read(&self.server.inner.registry);
        let len = registry.len(list);
        let start = page_start(p.cursor.as_deref(), len)?;
        registry.build_page(list, start, size)
    }
}
