//! `#[prompt]`: a function becomes a `PromptRoute` whose arguments are its
//! parameters.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{LitStr, Type};

use crate::args::Handler;
use crate::attr::Options;
use crate::{call, complete, fields};

/// The expression that builds the prompt's `PromptRoute`, once the names
/// `complete(...)` gives are checked against its parameters.
pub(crate) fn route(
    opts: &Options,
    h: &Handler,
    self_ty: Option<&Type>,
) -> syn::Result<TokenStream> {
    let krate = &opts.krate;
    let name = route_name(opts, h);
    let arg_names: Vec<String> = h.owned().map(complete::wire_name).collect();
    complete::check(opts, &arg_names, complete::Target::Prompt(&name))?;
    let completers = complete::attach(opts, self_ty.is_some());
    let fields::Fields { setup, bind } = fields::build(h, krate, self_ty);
    let call::Call {
        capture,
        per_call,
        expr,
    } = call::build(h, krate);
    let convert = quote_spanned! {h.output_span=>
        #krate::server::IntoPromptResult::into_prompt_result(__mcpwire_ret)
    };
    let description = opts
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| h.docs.clone())
        .map(|d| quote!(.description(#d)));
    let title = opts.title.as_ref().map(|t| quote!(.title(#t)));
    Ok(quote! {{
        #capture
        #setup
        let mut __mcpwire_def = #krate::types::Prompt::new(#name);
        __mcpwire_def.arguments = #krate::server::__private::prompt_arguments(&__mcpwire_schema);
        #krate::server::PromptRoute::new(
            __mcpwire_def,
            move |__mcpwire_cx: #krate::server::Context,
                  __mcpwire_args: ::std::collections::HashMap<
                      ::std::string::String,
                      ::std::string::String,
                  >| {
                let __mcpwire_parsed = #krate::server::__private::parse_prompt_arguments(
                    __mcpwire_args_ty,
                    __mcpwire_args,
                );
                #per_call
                async move {
                    let __mcpwire_all = __mcpwire_parsed?;
                    #bind
                    let __mcpwire_ret = #expr;
                    #convert
                }
            },
        )
        #description
        #title
        #completers
    }})
}

/// The prompt's name: `name = "..."`, else the function's name.
pub(crate) fn route_name(opts: &Options, h: &Handler) -> String {
    opts.name
        .as_ref()
        .map_or_else(|| h.default_name(), LitStr::value)
}
