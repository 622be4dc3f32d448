//! `#[tool]`: a function becomes a `ToolRoute` whose input schema comes
//! from its parameters and whose output schema comes from its return type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::args::Handler;
use crate::attr::{Hints, Options, Output};
use crate::{call, fields};

/// The expression that builds the tool's `ToolRoute`.
pub(crate) fn route(opts: &Options, h: &Handler, self_ty: Option<&Type>) -> TokenStream {
    let krate = &opts.krate;
    let name = route_name(opts, h);
    let fields::Fields { setup, bind } = fields::build(h, krate, self_ty);
    let call::Call {
        capture,
        per_call,
        expr,
    } = call::build(h, krate);
    let ret = &h.output;
    // Spanned at the return type, so a type that is no tool result is
    // reported there.
    let convert = quote_spanned! {h.output_span=>
        #krate::server::IntoToolResult::into_tool_result(__mcpwire_ret)
    };
    let output_schema = match &opts.output {
        None => quote_spanned! {h.output_span=>
            <#ret as #krate::server::IntoToolResult>::output_schema()
        },
        Some(Output::None) => quote!(::core::option::Option::None),
        // Spanned at the type, so a type without `JsonSchema` is reported
        // there.
        Some(Output::Type(ty)) => quote_spanned! {ty.span()=>
            #krate::server::output_schema_for::<#ty>()
        },
    };
    let icons = opts.icons.as_ref().map(|icons| {
        quote_spanned! {icons.span()=> .icons(#icons) }
    });
    let description = opts
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| h.docs.clone())
        .map(|d| quote!(.description(#d)));
    let title = opts.title.as_ref().map(|t| quote!(.title(#t)));
    let ui = opts.ui.as_ref().map(|u| quote!(.ui(#u)));
    let annotations = annotations(krate, &opts.hints);
    quote! {{
        #capture
        #setup
        let __mcpwire_name: &'static str = #name;
        #krate::server::ToolRoute::new(
            #krate::types::Tool::new(
                __mcpwire_name,
                #krate::__private::serde_json::Value::Object(__mcpwire_schema),
            ),
            move |__mcpwire_cx: #krate::server::Context,
                  __mcpwire_args: #krate::__private::serde_json::Map<
                      ::std::string::String,
                      #krate::__private::serde_json::Value,
                  >| {
                let __mcpwire_parsed = #krate::server::__private::parse_tool_arguments(
                    __mcpwire_args_ty,
                    __mcpwire_name,
                    __mcpwire_args,
                );
                #per_call
                async move {
                    let __mcpwire_all = match __mcpwire_parsed {
                        ::core::result::Result::Ok(__mcpwire_all) => __mcpwire_all,
                        ::core::result::Result::Err(__mcpwire_invalid) => {
                            return ::core::result::Result::Ok(*__mcpwire_invalid);
                        }
                    };
                    #bind
                    let __mcpwire_ret = #expr;
                    #convert
                }
            },
        )
        .output_schema(#output_schema)
        #description
        #title
        #annotations
        #icons
        #ui
    }}
}

/// The tool's name: `name = "..."`, else the function's name.
pub(crate) fn route_name(opts: &Options, h: &Handler) -> String {
    opts.name
        .as_ref()
        .map_or_else(|| h.default_name(), LitStr::value)
}

fn annotations(krate: &syn::Path, hints: &Hints) -> Option<TokenStream> {
    if !hints.any() {
        return None;
    }
    let field = |name: &str, value: &Option<syn::LitBool>| {
        let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
        value
            .as_ref()
            .map(|v| quote!(#ident: ::core::option::Option::Some(#v),))
    };
    let fields = [
        field("read_only_hint", &hints.read_only),
        field("destructive_hint", &hints.destructive),
        field("idempotent_hint", &hints.idempotent),
        field("open_world_hint", &hints.open_world),
    ];
    Some(quote! {
        .annotations(#krate::types::ToolAnnotations {
            #(#fields)*
            ..::core::default::Default::default()
        })
    })
}
