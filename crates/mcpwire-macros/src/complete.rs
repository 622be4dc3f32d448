//! `complete(arg = completer, ...)` on `#[prompt]` and `#[resource]`: every
//! name must be an argument of the prompt (a variable of the template), and
//! each completer is attached to the route for `completion/complete`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{LitStr, Token};

use crate::args::{Arg, Errors};
use crate::attr::Options;

/// What `complete(...)` completes: for the error that names what exists.
pub(crate) enum Target<'a> {
    /// A prompt of this name.
    Prompt(&'a str),
    /// A resource at this URI (template).
    Resource(&'a str),
}

/// Checks that every name `complete(...)` gives is one of `names` (the
/// prompt's arguments or the template's variables, as the client names
/// them).
pub(crate) fn check(opts: &Options, names: &[String], target: Target) -> syn::Result<()> {
    let mut errors = Errors::default();
    for c in &opts.complete {
        let arg = c.arg.unraw().to_string();
        if names.contains(&arg) {
            continue;
        }
        let listed = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = match target {
            Target::Prompt(name) if names.is_empty() => format!(
                "prompt `{name}` has no argument `{arg}` to complete: it takes no arguments"
            ),
            Target::Prompt(name) => format!(
                "prompt `{name}` has no argument `{arg}` to complete; its arguments are {listed}"
            ),
            Target::Resource(uri) if names.is_empty() => format!(
                "`complete(...)` completes the variables of a URI template, and {uri:?} \
                 has none: `{arg}` is no variable of it"
            ),
            Target::Resource(uri) => format!(
                "the URI template {uri:?} has no variable `{arg}` to complete; its \
                 variables are {listed}"
            ),
        };
        errors.push(syn::Error::new(c.arg.span(), message));
    }
    errors.finish(())
}

/// The argument's name on the wire: its `#[serde(rename = "...")]`, else
/// the parameter's name.
pub(crate) fn wire_name(a: &Arg) -> String {
    let mut renamed = None;
    for attr in a.field_attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // Other serde options are skipped; serde itself reports their
        // mistakes.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.input.peek(Token![=]) {
                let value = meta.value()?;
                if meta.path.is_ident("rename") && value.peek(LitStr) {
                    renamed = Some(value.parse::<LitStr>()?.value());
                } else {
                    value.parse::<syn::Expr>()?;
                }
            } else if meta.input.peek(syn::token::Paren) {
                let _skipped;
                syn::parenthesized!(_skipped in meta.input);
            }
            Ok(())
        });
    }
    renamed.unwrap_or_else(|| a.wire_name())
}

/// `.completer("arg", ...)` for every completion, each calling its function
/// with the state of the `#[routes]` impl (`stateful`) or with `&()`.
pub(crate) fn attach(opts: &Options, stateful: bool) -> TokenStream {
    let krate = &opts.krate;
    let calls = opts.complete.iter().map(|c| {
        let name = c.arg.unraw().to_string();
        let f = &c.completer;
        // Spanned at the completer, so a function of the wrong shape is
        // reported there.
        let call = |state: TokenStream| {
            quote_spanned! {f.span()=>
                #krate::server::CompleteFn::complete(
                    &(#f),
                    #state,
                    __mcpwire_prefix,
                    __mcpwire_given,
                )
                .await
            }
        };
        let completer = if stateful {
            let call = call(quote!(&*__mcpwire_state));
            quote! {{
                let __mcpwire_state = ::std::sync::Arc::clone(&self);
                #krate::server::Completer::with_arguments(
                    move |__mcpwire_prefix: ::std::string::String,
                          __mcpwire_given: #krate::server::GivenArguments| {
                        let __mcpwire_state = ::std::sync::Arc::clone(&__mcpwire_state);
                        async move { #call }
                    },
                )
            }}
        } else {
            let call = call(quote!(&()));
            quote! {
                #krate::server::Completer::with_arguments(
                    |__mcpwire_prefix: ::std::string::String,
                     __mcpwire_given: #krate::server::GivenArguments| async move { #call },
                )
            }
        };
        quote!(.completer(#name, #completer))
    });
    quote!(#(#calls)*)
}
