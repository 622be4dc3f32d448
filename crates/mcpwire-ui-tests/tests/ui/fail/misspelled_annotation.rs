#[mcpwire::tool(annotations(read_only, destrucive = false))]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[mcpwire::tool(read_only, annotations(read_only))]
fn sub(a: i32, b: i32) -> i32 {
    a - b
}

#[mcpwire::tool(annotations = read_only)]
fn mul(a: i32, b: i32) -> i32 {
    a * b
}

fn main() {}
