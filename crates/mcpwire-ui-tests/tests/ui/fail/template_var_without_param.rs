#[mcpwire::resource("tickets://{project}/{id}")]
fn ticket(id: u64) -> String {
    id.to_string()
}

fn main() {}
