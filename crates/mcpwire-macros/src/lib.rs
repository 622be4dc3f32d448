//! Attribute macros for mcpwire: `#[tool]`, `#[resource]`, `#[prompt]` and
//! `#[routes]`.

use proc_macro::TokenStream;

/// Turns a function into an MCP tool.
#[proc_macro_attribute]
pub fn tool(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Turns a function into an MCP resource or resource template.
#[proc_macro_attribute]
pub fn resource(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Turns a function into an MCP prompt.
#[proc_macro_attribute]
pub fn prompt(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Collects the `#[tool]`, `#[resource]` and `#[prompt]` methods of an
/// `impl` block into one `routes()` constructor.
#[proc_macro_attribute]
pub fn routes(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
