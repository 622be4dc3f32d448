//! How generated handlers call the user's function: a free function, a
//! method on the `Arc`'d state of a `#[routes]` impl, or an associated
//! function of that impl.

use proc_macro2::TokenStream;
use quote::quote;

use crate::args::{Handler, Param, Receiver};

/// The pieces a route's handler closure is assembled from.
pub(crate) struct Call {
    /// Runs once, when the route is built: captures the state.
    pub(crate) capture: TokenStream,
    /// Runs at the start of every call, before the `async move` block.
    pub(crate) per_call: TokenStream,
    /// The call itself, `.await`ed when the function is async. Expects the
    /// context in `__mcpwire_cx` and every argument in a local of its name.
    pub(crate) expr: TokenStream,
}

pub(crate) fn build(h: &Handler) -> Call {
    let ident = &h.ident;
    let args = h.params.iter().map(|p| match p {
        Param::Context { by_ref: true } => quote!(&__mcpwire_cx),
        Param::Context { by_ref: false } => {
            quote!(::core::clone::Clone::clone(&__mcpwire_cx))
        }
        Param::Arg(a) => {
            let name = &a.ident;
            quote!(#name)
        }
    });
    let clone_this = quote! {
        let __mcpwire_this = ::std::sync::Arc::clone(&__mcpwire_this);
    };
    let (capture, per_call, callee) = match h.receiver {
        Receiver::Ref => (
            quote!(let __mcpwire_this = ::std::sync::Arc::clone(&self);),
            clone_this,
            quote!(Self::#ident(&*__mcpwire_this, #(#args),*)),
        ),
        Receiver::Arc => (
            quote!(let __mcpwire_this = ::std::sync::Arc::clone(&self);),
            clone_this,
            quote!(Self::#ident(__mcpwire_this, #(#args),*)),
        ),
        Receiver::None if h.in_impl => (
            TokenStream::new(),
            TokenStream::new(),
            quote!(Self::#ident(#(#args),*)),
        ),
        // Bound before the arguments are, so a parameter named like the
        // function cannot shadow it.
        Receiver::None => (
            quote!(let __mcpwire_fn = #ident;),
            TokenStream::new(),
            quote!(__mcpwire_fn(#(#args),*)),
        ),
    };
    let expr = if h.is_async {
        quote!(#callee.await)
    } else {
        callee
    };
    Call {
        capture,
        per_call,
        expr,
    }
}
