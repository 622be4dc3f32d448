//! The routes a server serves: tools, resources, templates and prompts,
//! each held in an `Arc` so that serving one never copies it, with the
//! counts the declared capabilities follow, and the changes that keep both
//! (and the cached list pages) in step.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use indexmap::IndexMap;
use mcpwire_types::TaskSupport;

use super::capabilities::Offered;
use super::lists::{List, ListPages};
use super::{
    AnyResourceRoute, PromptRoute, ResourceRoute, Server, ServerEvent, TemplateRoute, ToolRoute,
    read,
};
use super::{tasks, write};

/// Every route of a server.
#[derive(Default)]
pub(crate) struct Registry {
    pub(crate) tools: IndexMap<String, Arc<ToolRoute>>,
    pub(crate) resources: IndexMap<String, Arc<ResourceRoute>>,
    pub(crate) templates: Vec<Arc<TemplateRoute>>,
    pub(crate) prompts: IndexMap<String, Arc<PromptRoute>>,
    /// How many tools may run as tasks.
    task_tools: usize,
    /// How many tools name an MCP App.
    ui_tools: usize,
    /// How many prompts and templates complete their arguments.
    completing: usize,
    /// The list pages served so far, dropped on every change.
    pub(crate) pages: ListPages,
}

fn runs_as_task(t: &ToolRoute) -> bool {
    tasks::task_support(t) != TaskSupport::Forbidden
}

impl Registry {
    /// What these routes let the server declare.
    pub(crate) fn offered(&self) -> u32 {
        let mut bits = 0;
        if !self.tools.is_empty() {
            bits |= Offered::TOOLS;
        }
        if self.task_tools > 0 {
            bits |= Offered::TASKS;
        }
        if self.ui_tools > 0 {
            bits |= Offered::APPS;
        }
        if !self.prompts.is_empty() {
            bits |= Offered::PROMPTS;
        }
        if !self.resources.is_empty() || !self.templates.is_empty() {
            bits |= Offered::RESOURCES;
        }
        if self.completing > 0 {
            bits |= Offered::COMPLETIONS;
        }
        bits
    }

    pub(crate) fn insert_tool(&mut self, tool: ToolRoute) {
        self.task_tools += usize::from(runs_as_task(&tool));
        self.ui_tools += usize::from(tool.def.has_ui());
        if let Some(old) = self.tools.insert(tool.def.name.clone(), Arc::new(tool)) {
            self.task_tools -= usize::from(runs_as_task(&old));
            self.ui_tools -= usize::from(old.def.has_ui());
        }
        self.pages.clear(List::Tools);
    }

    pub(crate) fn remove_tool(&mut self, name: &str) -> bool {
        let Some(old) = self.tools.shift_remove(name) else {
            return false;
        };
        self.task_tools -= usize::from(runs_as_task(&old));
        self.ui_tools -= usize::from(old.def.has_ui());
        self.pages.clear(List::Tools);
        true
    }

    pub(crate) fn insert_resource(&mut self, resource: ResourceRoute) {
        self.resources
            .insert(resource.def.uri.clone(), Arc::new(resource));
        self.pages.clear(List::Resources);
    }

    /// Adds `resource` unless one is served at its URI already.
    pub(crate) fn keep_resource(&mut self, resource: ResourceRoute) {
        if !self.resources.contains_key(&resource.def.uri) {
            self.insert_resource(resource);
        }
    }

    pub(crate) fn remove_resource(&mut self, uri: &str) -> bool {
        let removed = self.resources.shift_remove(uri).is_some();
        if removed {
            self.pages.clear(List::Resources);
        }
        removed
    }

    /// Adds `template`, in place of one with the same URI template.
    pub(crate) fn insert_template(&mut self, template: TemplateRoute) {
        self.completing += usize::from(!template.completers.is_empty());
        let same = |t: &Arc<TemplateRoute>| t.def.uri_template == template.def.uri_template;
        match self.templates.iter().position(same) {
            Some(i) => {
                let old = std::mem::replace(&mut self.templates[i], Arc::new(template));
                self.completing -= usize::from(!old.completers.is_empty());
            }
            None => self.templates.push(Arc::new(template)),
        }
        self.pages.clear(List::Templates);
    }

    pub(crate) fn insert_prompt(&mut self, prompt: PromptRoute) {
        self.completing += usize::from(!prompt.completers.is_empty());
        if let Some(old) = self
            .prompts
            .insert(prompt.def.name.clone(), Arc::new(prompt))
        {
            self.completing -= usize::from(!old.completers.is_empty());
        }
        self.pages.clear(List::Prompts);
    }

    pub(crate) fn remove_prompt(&mut self, name: &str) -> bool {
        let Some(old) = self.prompts.shift_remove(name) else {
            return false;
        };
        self.completing -= usize::from(!old.completers.is_empty());
        self.pages.clear(List::Prompts);
        true
    }
}

impl Server {
    /// Changes the registry, and what the server declares with it.
    pub(crate) fn change_routes<R>(&self, change: impl FnOnce(&mut Registry) -> R) -> R {
        let mut registry = write(&self.inner.registry);
        let r = change(&mut registry);
        // Under the lock, so that the bits follow the changes in order.
        self.inner
            .offered
            .store(registry.offered(), Ordering::Relaxed);
        r
    }

    /// Adds a tool, replacing the one of the same name if there is one
    /// (calls already running finish with the old handler); connected
    /// clients get `tools/list_changed`. Unlike
    /// [`ServerBuilder::build`](crate::ServerBuilder::build), which refuses
    /// a duplicate, this is how a running server swaps a tool.
    pub fn add_tool(&self, tool: ToolRoute) {
        self.change_routes(|r| r.insert_tool(tool));
        self.announce(ServerEvent::ToolsChanged);
    }

    /// Removes a tool; returns whether it existed.
    pub fn remove_tool(&self, name: &str) -> bool {
        let removed = self.change_routes(|r| r.remove_tool(name));
        if removed {
            self.announce(ServerEvent::ToolsChanged);
        }
        removed
    }

    /// Runs `f` on the input schema of the tool `name`, if there is one
    /// and `mirrors` says that schema mirrors arguments into headers (asked
    /// once per tool).
    pub fn with_tool_schema<R>(
        &self,
        name: &str,
        mirrors: fn(&serde_json::Map<String, serde_json::Value>) -> bool,
        f: impl FnOnce(&serde_json::Map<String, serde_json::Value>) -> R,
    ) -> Option<R> {
        let registry = read(&self.inner.registry);
        let t = registry.tools.get(name)?;
        let schema = &t.def.input_schema;
        (*t.mirrors_headers.get_or_init(|| mirrors(schema))).then(|| f(schema))
    }

    /// Adds a resource, replacing the one at the same URI if there is one,
    /// or a resource template (a [`ResourceRoute`] or a [`TemplateRoute`]),
    /// replacing the one with the same URI template; clients get
    /// `resources/list_changed`.
    pub fn add_resource(&self, resource: impl Into<AnyResourceRoute>) {
        match resource.into() {
            AnyResourceRoute::Fixed(resource) => {
                self.change_routes(|r| r.insert_resource(resource));
            }
            AnyResourceRoute::Template(template) => {
                self.change_routes(|r| r.insert_template(template));
            }
        }
        self.announce(ServerEvent::ResourcesChanged);
    }

    /// Removes a resource; returns whether it existed.
    pub fn remove_resource(&self, uri: &str) -> bool {
        let removed = self.change_routes(|r| r.remove_resource(uri));
        if removed {
            self.announce(ServerEvent::ResourcesChanged);
        }
        removed
    }

    /// Adds a resource template; clients get `resources/list_changed`.
    /// [`add_resource`](Self::add_resource) takes templates too.
    pub fn add_template(&self, template: TemplateRoute) {
        self.add_resource(template);
    }

    /// Adds a prompt, replacing the one of the same name if there is one;
    /// clients get `prompts/list_changed`.
    pub fn add_prompt(&self, prompt: PromptRoute) {
        self.change_routes(|r| r.insert_prompt(prompt));
        self.announce(ServerEvent::PromptsChanged);
    }

    /// Removes a prompt; returns whether it existed.
    pub fn remove_prompt(&self, name: &str) -> bool {
        let removed = self.change_routes(|r| r.remove_prompt(name));
        if removed {
            self.announce(ServerEvent::PromptsChanged);
        }
        removed
    }

    /// Tells clients subscribed to `uri` that it changed
    /// (`notifications/resources/updated`).
    pub fn resource_updated(&self, uri: impl Into<String>) {
        self.announce(ServerEvent::ResourceUpdated(uri.into()));
    }
}
