//! The skills a server publishes, as an extension of the server: the
//! capability declaration, `skills/list`, `skills/get` and
//! `resources/directory/read`, and the skill files served as resources.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, RwLock};

use indexmap::IndexMap;
use mcpwire_types::request::requests;
use mcpwire_types::skills::{
    DIRECTORY_MIME_TYPE, EXTENSION_ID, GetSkillRequestParams, GetSkillResult, ListSkillsResult,
    RESOURCES_DIRECTORY_READ, ReadResourceDirectoryRequestParams, ReadResourceDirectoryResult,
    SKILLS_GET, SKILLS_LIST, SkillsCapability,
};
use mcpwire_types::{
    Era, PaginatedRequestParams, Resource, ResourcesCapability, ServerCapabilities,
};
use serde_json::{Value, json};

use super::extension::{Eras, ExtensionRequest, ExtensionRoute, ServerExtension};
use super::params::{page, params, to_value};
use super::skills::Skill;
use super::{BoxFuture, Server, ServerEvent, read, write};
use mcpwire_rpc::Error;

/// The published skills, and the directory tree their files make.
#[derive(Default)]
pub(crate) struct SkillCatalog {
    state: RwLock<CatalogState>,
}

#[derive(Default)]
struct CatalogState {
    /// Whether the server declares the extension (even with no skills).
    declared: bool,
    /// By the URI of their `SKILL.md`.
    skills: IndexMap<String, Skill>,
    /// Every directory under the skills' files, by URI, with its direct
    /// children by URI.
    dirs: BTreeMap<String, BTreeMap<String, Resource>>,
}

impl CatalogState {
    fn rebuild_dirs(&mut self) {
        let mut dirs: BTreeMap<String, BTreeMap<String, Resource>> = BTreeMap::new();
        for skill in self.skills.values() {
            for file in skill.files() {
                let Some((scheme, path)) = file.uri.split_once("://") else {
                    continue;
                };
                let mut dir = format!("{scheme}://");
                let segments: Vec<&str> = path.split('/').collect();
                for (i, segment) in segments.iter().enumerate() {
                    let child = format!("{dir}{}{segment}", if i == 0 { "" } else { "/" });
                    if i > 0 {
                        let entry = if i + 1 == segments.len() {
                            skill.file_resource(file)
                        } else {
                            let mut r = Resource::new(&child, percent_decode(segment));
                            r.mime_type = Some(DIRECTORY_MIME_TYPE.to_owned());
                            r
                        };
                        dirs.entry(dir.clone())
                            .or_default()
                            .insert(child.clone(), entry);
                    }
                    dir = child;
                }
            }
        }
        self.dirs = dirs;
    }
}

impl SkillCatalog {
    /// A catalog of `skills`; `None` when the server does not declare the
    /// extension.
    pub(crate) fn new(skills: Option<Vec<Skill>>) -> Self {
        let catalog = SkillCatalog::default();
        if let Some(skills) = skills {
            let mut state = write(&catalog.state);
            state.declared = true;
            for s in skills {
                state.skills.insert(s.uri(), s);
            }
            state.rebuild_dirs();
        }
        catalog
    }

    /// Adds the extension to `caps` when the server declares it, with the
    /// `resources` capability it depends on.
    pub(crate) fn declare(&self, caps: &mut ServerCapabilities) {
        if !read(&self.state).declared {
            return;
        }
        let settings = SkillsCapability {
            directory_read: Some(true),
            ..Default::default()
        };
        caps.extensions
            .get_or_insert_with(Default::default)
            .insert(EXTENSION_ID.to_owned(), json!(settings));
        caps.resources.get_or_insert(ResourcesCapability {
            subscribe: Some(true),
            list_changed: Some(true),
        });
    }

    /// Whether the server declares the extension.
    fn declared(&self) -> bool {
        read(&self.state).declared
    }

    /// Serves an extension method.
    fn dispatch(
        &self,
        method: &str,
        raw: Option<Value>,
        page_size: Option<usize>,
    ) -> Result<Value, Error> {
        let state = read(&self.state);
        match method {
            SKILLS_LIST => {
                let p: PaginatedRequestParams = params(raw)?;
                let all: Vec<&Skill> = state.skills.values().collect();
                let (skills, next) = page(&all, p.cursor.as_deref(), page_size)?;
                let mut r = ListSkillsResult::new(skills.iter().map(|s| s.entry()).collect());
                r.next_cursor = next;
                to_value(&r)
            }
            SKILLS_GET => {
                let p: GetSkillRequestParams = params(raw)?;
                match state.skills.get(&p.uri) {
                    Some(s) => to_value(&GetSkillResult::new(s.entry())),
                    None => Err(Error::Rpc(
                        mcpwire_types::ErrorObject::new(
                            mcpwire_types::ErrorCode::INVALID_PARAMS,
                            format!("No skill is served at {}", p.uri),
                        )
                        .with_data(json!({ "uri": p.uri })),
                    )),
                }
            }
            RESOURCES_DIRECTORY_READ => {
                let p: ReadResourceDirectoryRequestParams = params(raw)?;
                let Some(children) = state.dirs.get(&p.uri) else {
                    let why = if state
                        .skills
                        .values()
                        .any(|s| s.file_uris().any(|u| u == p.uri))
                    {
                        "is not a directory resource"
                    } else {
                        "does not exist"
                    };
                    return Err(Error::Rpc(
                        mcpwire_types::ErrorObject::new(
                            mcpwire_types::ErrorCode::INVALID_PARAMS,
                            format!("{} {why}", p.uri),
                        )
                        .with_data(json!({ "uri": p.uri })),
                    ));
                };
                let all: Vec<&Resource> = children.values().collect();
                let (resources, next) = page(&all, p.cursor.as_deref(), page_size)?;
                to_value(&ReadResourceDirectoryResult {
                    resources: resources.into_iter().cloned().collect(),
                    next_cursor: next,
                    ..Default::default()
                })
            }
            other => Err(Error::method_not_found(other)),
        }
    }
}

/// `segment` with its `%XX` escapes decoded (left as is where that is not
/// UTF-8).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_owned())
}

/// The skills extension of a server, around its catalog.
pub(crate) struct SkillsExtension(pub(crate) Arc<SkillCatalog>);

impl ServerExtension for SkillsExtension {
    fn declare(&self, _server: &Server, _era: Era, caps: &mut ServerCapabilities) {
        self.0.declare(caps);
    }

    fn declared(&self, _server: &Server, _era: Era) -> bool {
        self.0.declared()
    }

    fn routes(&self) -> &[ExtensionRoute] {
        const ROUTES: &[ExtensionRoute] = &[
            ExtensionRoute::of::<requests::ListSkills>(Eras::BOTH).cacheable(),
            ExtensionRoute::of::<requests::GetSkill>(Eras::BOTH).cacheable(),
            ExtensionRoute::of::<requests::ReadResourceDirectory>(Eras::BOTH),
        ];
        ROUTES
    }

    fn handle(&self, request: ExtensionRequest) -> BoxFuture<Result<Value, Error>> {
        let page_size = request.context.server().inner.page_size;
        let out = self.0.dispatch(request.method, request.params, page_size);
        Box::pin(std::future::ready(out))
    }
}

impl Server {
    /// Publishes a skill on a running server, or replaces the one at the
    /// same URI; connected clients get `resources/list_changed`. The server
    /// declares the skills extension from then on.
    pub fn add_skill(&self, skill: Skill) {
        let routes = skill.resource_routes();
        let mut state = write(&self.inner.skills.state);
        state.declared = true;
        let stale = state.skills.insert(skill.uri(), skill);
        self.change_routes(|registry| {
            if let Some(old) = stale {
                for uri in old.file_uris() {
                    registry.remove_resource(uri);
                }
            }
            for r in routes {
                registry.insert_resource(r);
            }
            // Files shared with other skills (nested skills) stay served.
            for s in state.skills.values() {
                for r in s.resource_routes() {
                    registry.keep_resource(r);
                }
            }
        });
        state.rebuild_dirs();
        drop(state);
        self.announce(ServerEvent::ResourcesChanged);
    }

    /// Stops publishing the skill whose `SKILL.md` is at `uri`, and stops
    /// serving the files no other published skill has; returns whether it
    /// was published. The server keeps declaring the extension.
    pub fn remove_skill(&self, uri: &str) -> bool {
        let mut state = write(&self.inner.skills.state);
        let Some(old) = state.skills.shift_remove(uri) else {
            return false;
        };
        let kept: HashSet<&str> = state.skills.values().flat_map(|s| s.file_uris()).collect();
        self.change_routes(|registry| {
            for file in old.file_uris().filter(|u| !kept.contains(u)) {
                registry.remove_resource(file);
            }
        });
        drop(kept);
        state.rebuild_dirs();
        drop(state);
        self.announce(ServerEvent::ResourcesChanged);
        true
    }

    /// The published skills, in the order `skills/list` gives them.
    pub fn skills(&self) -> Vec<Skill> {
        read(&self.inner.skills.state)
            .skills
            .values()
            .cloned()
            .collect()
    }
}
