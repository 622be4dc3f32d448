//! How generated handlers call the user's function: a free function, a
//! method on the `Arc`'d state of a `#[routes]` impl, or an associated
//! function of that impl.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::args::{Handler, Param, Receiver};

/// The pieces a route's handler closure is assembled from.
pub(crate) struct Call {
    /// Runs once, when the route is built: captures the state.
    pub(crate) capture: TokenStream,
    /// Runs at the start of every call, before the `async move` block.
    pub(crate) per_call: TokenStream,
    /// The call itself, `.await`ed when the function is async. Expects the
    /// context in `__mcpwire_cx` and every owned parameter in a local of
    /// its name.
    pub(crate) expr: TokenStream,
}

pub(crate) fn build(h: &Handler, krate: &syn::Path) -> Call {
    let ident = &h.ident;
    let args = h.params.iter().map(|p| match p {
        // Spanned at the type, so a type that cannot be lent is reported
        // there.
        Param::Borrowed(ty) => quote_spanned! {ty.span()=>
            <#ty as #krate::server::__private::Borrowed>::borrow(&__mcpwire_cx)
        },
        Param::Owned(a) => {
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
