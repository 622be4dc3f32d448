//! Extractors beside arguments: mcpwire's own, `Option` of one, one of the
//! user's, and a user type named `Context` that is an argument.
#![deny(warnings, missing_docs, unused_qualifications, unreachable_pub, unused_results)]

use mcpwire::server::{
    Cancel, Context, Extension, FromContext, Json, RequestMeta, Server, State,
};

/// Shared state.
pub struct Greeting(pub String);

/// An extractor of the user's own.
pub struct RequestNumber(pub String);

impl FromContext for RequestNumber {
    fn from_context(cx: &Context) -> Result<Self, mcpwire::Error> {
        Ok(RequestNumber(format!("{:?}", cx.request_id())))
    }
}

mod own {
    /// Named like mcpwire's context, but an argument: it deserializes.
    #[derive(mcpwire::__private::serde::Deserialize, mcpwire::__private::schemars::JsonSchema)]
    #[serde(crate = "mcpwire::__private::serde")]
    #[schemars(crate = "mcpwire::__private::schemars")]
    pub(crate) struct Context {
        /// The tenant.
        pub(crate) tenant: String,
    }

    /// Takes the user's `Context` as an argument.
    #[mcpwire::tool]
    pub(crate) fn tenant(context: Context) -> String {
        context.tenant
    }
}

/// Every kind of extractor, and arguments between them.
#[mcpwire::tool]
pub async fn all(
    greeting: State<Greeting>,
    name: String,
    meta: RequestMeta,
    cancel: Cancel,
    number: RequestNumber,
    tenant: Option<Extension<u32>>,
    cx: &Context,
    owned: Context,
    times: Option<u8>,
) -> Json<Vec<String>> {
    let _ = (cx.request_id(), owned.request_id(), cancel.is_cancelled());
    Json(vec![
        format!("{} {name} {}", greeting.0, meta.len()),
        format!("{} {tenant:?} {times:?}", number.0),
    ])
}

/// A prompt with an extractor.
#[mcpwire::prompt]
fn greet(greeting: State<Greeting>, name: String) -> String {
    format!("{} {name}", greeting.0)
}

/// A resource with an extractor.
#[mcpwire::resource("greeting://{name}")]
fn greeting(name: String, greeting: Option<State<Greeting>>) -> String {
    format!("{name} {}", greeting.is_some())
}

fn main() {
    let _server = Server::builder("extractors", "1.0")
        .state(Greeting("Hello".into()))
        .tool(all_tool())
        .tool(own::tenant_tool())
        .prompt(greet_prompt())
        .template(greeting_resource())
        .build();
}
