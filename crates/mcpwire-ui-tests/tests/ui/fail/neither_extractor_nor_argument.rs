/// Neither deserializable nor taken from the request.
pub struct Plain;

#[mcpwire::tool]
fn describe(plain: Plain, text: String) -> String {
    let _ = plain;
    text
}

fn main() {}
