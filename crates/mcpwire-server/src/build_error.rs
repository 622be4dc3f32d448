//! Why a [`ServerBuilder`](crate::ServerBuilder) refused to build: two
//! routes that would answer to the same name.

use std::collections::HashSet;

use super::{PromptRoute, ResourceRoute, TemplateRoute, ToolRoute};

/// Why [`ServerBuilder::build`](crate::ServerBuilder::build) refused: two
/// routes of one kind under the same name, of which a client could reach
/// only one. Each variant names the duplicate.
///
/// ```
/// use mcpwire_server::{BuildError, Server, ToolRoute};
/// let echo = || ToolRoute::typed("echo", |_cx, text: String| async move { text });
/// let e = Server::builder("s", "1").tool(echo()).tool(echo()).build().unwrap_err();
/// assert_eq!(e, BuildError::DuplicateTool("echo".into()));
/// assert_eq!(e.to_string(), "two tools are named \"echo\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Two tools have this name.
    #[error("two tools are named {0:?}")]
    DuplicateTool(String),
    /// Two prompts have this name.
    #[error("two prompts are named {0:?}")]
    DuplicatePrompt(String),
    /// Two resources have this URI.
    #[error("two resources have the URI {0:?}")]
    DuplicateResource(String),
    /// Two resource templates have this URI template.
    #[error("two resource templates have the URI template {0:?}")]
    DuplicateTemplate(String),
}

/// A build error where an [`Error`](mcpwire_rpc::Error) is expected (a
/// `main` that returns one): a local fault carrying the message.
impl From<BuildError> for mcpwire_rpc::Error {
    fn from(e: BuildError) -> Self {
        mcpwire_rpc::Error::internal(e.to_string())
    }
}

/// The first name that two of `names` share.
fn first_repeat<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = HashSet::new();
    names.into_iter().find(|n| !seen.insert(*n))
}

/// Refuses routes of one kind that share a name.
pub(crate) fn check_unique(
    tools: &[ToolRoute],
    resources: &[ResourceRoute],
    templates: &[TemplateRoute],
    prompts: &[PromptRoute],
) -> Result<(), BuildError> {
    let named =
        |n: Option<&str>, e: fn(String) -> BuildError| n.map_or(Ok(()), |n| Err(e(n.into())));
    named(
        first_repeat(tools.iter().map(|t| t.def.name.as_str())),
        BuildError::DuplicateTool,
    )?;
    named(
        first_repeat(prompts.iter().map(|p| p.def.name.as_str())),
        BuildError::DuplicatePrompt,
    )?;
    named(
        first_repeat(resources.iter().map(|r| r.def.uri.as_str())),
        BuildError::DuplicateResource,
    )?;
    named(
        first_repeat(templates.iter().map(|t| t.def.uri_template.as_str())),
        BuildError::DuplicateTemplate,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Routes, Server};

    fn tool(name: &str) -> ToolRoute {
        ToolRoute::typed(name, |_cx, _a: ()| async { "t" })
    }
    fn prompt(name: &str) -> PromptRoute {
        PromptRoute::typed(name, |_cx, _a: ()| async { "p".to_owned() })
    }
    fn resource(uri: &str) -> ResourceRoute {
        ResourceRoute::new(uri, "r", |_cx, _uri, _vars| async { "r".to_owned() })
    }
    fn template(uri: &str) -> TemplateRoute {
        TemplateRoute::new(uri, "t", |_cx, _uri, _vars| async { "t".to_owned() })
            .expect("the template parses")
    }

    #[test]
    fn each_kind_of_duplicate_is_refused_by_name() {
        let b = || Server::builder("s", "1");
        let e = b().tool(tool("a")).tool(tool("b")).tool(tool("a")).build();
        assert_eq!(e.err(), Some(BuildError::DuplicateTool("a".into())));
        let e = b().prompt(prompt("p")).prompt(prompt("p")).build();
        assert_eq!(e.err(), Some(BuildError::DuplicatePrompt("p".into())));
        let e = b()
            .resource(resource("memo://x"))
            .resource(resource("memo://x"))
            .build();
        assert_eq!(
            e.err(),
            Some(BuildError::DuplicateResource("memo://x".into()))
        );
        let e = b()
            .template(template("n://{id}"))
            .template(template("n://{id}"))
            .build();
        assert_eq!(
            e.err(),
            Some(BuildError::DuplicateTemplate("n://{id}".into()))
        );
        // A bundle counts too.
        let routes = Routes {
            tools: vec![tool("a")],
            ..Routes::default()
        };
        let e = b().tool(tool("a")).routes(routes).build();
        assert_eq!(e.err(), Some(BuildError::DuplicateTool("a".into())));
    }

    #[test]
    fn the_same_name_in_different_kinds_is_fine() {
        let server = Server::builder("s", "1")
            .tool(tool("x"))
            .prompt(prompt("x"))
            .resource(resource("n://1"))
            .template(template("n://{id}"))
            .build();
        assert!(server.is_ok());
    }

    #[test]
    fn adding_at_runtime_replaces_the_route_of_the_same_name() {
        let server = Server::builder("s", "1")
            .template(template("n://{id}"))
            .build()
            .expect("unique routes");
        server.add_template(template("n://{id}"));
        server.add_template(template("m://{id}"));
        server.add_tool(tool("a"));
        server.add_tool(tool("a"));
        let registry = crate::read(&server.inner.registry);
        assert_eq!(registry.templates.len(), 2);
        assert_eq!(registry.tools.len(), 1);
    }
}
