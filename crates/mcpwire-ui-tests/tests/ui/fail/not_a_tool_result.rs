struct Report;

#[mcpwire::tool]
fn report() -> Report {
    Report
}

fn main() {}
