//! An extractor of the user's own, not marked `#[extractor]`: the typed
//! call takes it for an argument, and says so where the call is used; the
//! tool itself builds.

use mcpwire::client::Client;
use mcpwire::server::{Context, FromContext};

struct Tenant(String);

impl FromContext for Tenant {
    fn from_context(_: &Context) -> Result<Self, mcpwire::Error> {
        Ok(Tenant("acme".into()))
    }
}

#[mcpwire::tool]
fn whoami(tenant: Tenant, name: String) -> String {
    format!("{name} of {}", tenant.0)
}

async fn ask(client: &Client) {
    let _ = whoami::call(client, Tenant("x".into()), "Ada".into()).await;
}

fn main() {
    let _ = (whoami_tool(), ask);
}
