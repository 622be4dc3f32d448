//! `#[resource("scheme://...")]`: a function becomes a `ResourceRoute`, or a
//! `TemplateRoute` when the URI has `{variables}`, which its parameters of
//! the same names receive, parsed with `FromStr`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::args::{self, Arg, Errors, Handler};
use crate::attr::Options;
use crate::{call, complete, template};

/// A resource route: the expression that builds it, and whether it is a
/// template.
pub(crate) struct Resource {
    pub(crate) expr: TokenStream,
    pub(crate) is_template: bool,
}

/// Checks the URI against the parameters, and `complete(...)` against the
/// template's variables, and builds the route. `in_routes`: the function is
/// a method of a `#[routes]` impl, whose state completers may take.
pub(crate) fn route(opts: &Options, h: &Handler, in_routes: bool) -> syn::Result<Resource> {
    let krate = &opts.krate;
    let uri = opts
        .uri
        .as_ref()
        .expect("the option parser requires a URI for #[resource]");
    let vars = check_template(uri, h)?;
    let is_template = !vars.is_empty();
    let var_names: Vec<String> = vars.iter().map(|v| v.name.clone()).collect();
    complete::check(opts, &var_names, complete::Target::Resource(&uri.value()))?;
    let completers = complete::attach(opts, in_routes);
    let name = opts
        .name
        .as_ref()
        .map_or_else(|| h.default_name(), LitStr::value);
    let call::Call {
        capture,
        per_call,
        expr,
    } = call::build(h, krate);
    let parse_vars = h.owned().map(|a| {
        if vars.iter().any(|v| v.name == a.wire_name()) {
            parse_variable(krate, a)
        } else {
            extract(krate, a)
        }
    });
    let convert = quote_spanned! {h.output_span=>
        #krate::server::IntoReadResult::into_read_result(__mcpwire_ret, &__mcpwire_uri)
    };
    let handler = quote! {
        move |__mcpwire_cx: #krate::server::Context,
              __mcpwire_uri: ::std::string::String,
              __mcpwire_vars: ::std::collections::HashMap<
                  ::std::string::String,
                  ::std::string::String,
              >| {
            #per_call
            async move {
                #(#parse_vars)*
                let __mcpwire_ret = #expr;
                #convert
            }
        }
    };
    let constructor = if is_template {
        let message = format!(
            "the URI template {:?} was checked at compile time",
            uri.value()
        );
        quote! {
            #krate::server::TemplateRoute::new(#uri, #name, #handler).expect(#message)
        }
    } else {
        quote!(#krate::server::ResourceRoute::new(#uri, #name, #handler))
    };
    let description = opts
        .description
        .as_ref()
        .map(LitStr::value)
        .or_else(|| h.docs.clone())
        .map(|d| quote!(.description(#d)));
    let title = opts.title.as_ref().map(|t| quote!(.title(#t)));
    let mime_type = opts.mime_type.as_ref().map(|m| quote!(.mime_type(#m)));
    Ok(Resource {
        expr: quote! {{
            #capture
            #constructor
            #description
            #title
            #mime_type
            #completers
        }},
        is_template,
    })
}

/// Every variable must have a parameter of its name. The other parameters
/// are extractors, which the generated code checks.
fn check_template(uri: &LitStr, h: &Handler) -> syn::Result<Vec<template::Variable>> {
    let source = uri.value();
    let vars = template::variables(&source).map_err(|why| {
        syn::Error::new(
            uri.span(),
            format!("invalid URI template {source:?}: {why}"),
        )
    })?;
    let mut errors = Errors::default();
    for v in &vars {
        if syn::parse_str::<syn::Ident>(&v.name).is_err() {
            errors.push(syn::Error::new(
                uri.span(),
                format!(
                    "URI template variable `{{{}}}` is no Rust identifier, so no \
                     parameter can receive it; rename it in the template",
                    v.name
                ),
            ));
        } else if !h.owned().any(|a| a.wire_name() == v.name) {
            errors.push(syn::Error::new(
                uri.span(),
                format!(
                    "URI template variable `{{{0}}}` has no parameter: add `{0}: String` \
                     (or any type that implements `FromStr`) to the function",
                    v.name
                ),
            ));
        }
    }
    errors.finish(vars)
}

/// `let name: T = <parsed from the matched variable>;`. A missing variable
/// is `None` for `Option<T>` parameters and an error otherwise; a value that
/// does not parse is an `invalid_params` error.
fn parse_variable(krate: &syn::Path, a: &Arg) -> TokenStream {
    let ident = &a.ident;
    let ty = &a.ty;
    let name = a.wire_name();
    let inner = args::option_inner(ty).unwrap_or(ty);
    let parse = from_str(krate, inner, &name);
    let missing = if a.optional {
        quote!(::core::option::Option::None)
    } else {
        quote! {
            return ::core::result::Result::Err(#krate::Error::invalid_params(::std::format!(
                "Missing `{}` in resource URI {}", #name, __mcpwire_uri
            )))
        }
    };
    let found = if a.optional {
        quote!(::core::option::Option::Some(#parse))
    } else {
        parse
    };
    quote! {
        let #ident: #ty = match __mcpwire_vars.get(#name) {
            ::core::option::Option::Some(__mcpwire_value) => #found,
            ::core::option::Option::None => #missing,
        };
    }
}

/// `let name: T = <T as FromContext>::from_context(..)?;`: a parameter
/// that is no variable of the template is taken from the request.
fn extract(krate: &syn::Path, a: &Arg) -> TokenStream {
    let ident = &a.ident;
    let ty = &a.ty;
    // Spanned at the parameter's type, so a type that is no extractor is
    // reported there.
    let take = quote_spanned! {ty.span()=>
        <#ty as #krate::server::__private::ResourceExtractor>::extract(&__mcpwire_cx)
    };
    quote! {
        let #ident: #ty = #take?;
    }
}

fn from_str(krate: &syn::Path, ty: &Type, name: &str) -> TokenStream {
    // Spanned at the parameter's type, so a type without `FromStr` is
    // reported there.
    let parse = quote_spanned! {ty.span()=>
        <#ty as ::core::str::FromStr>::from_str(__mcpwire_value)
    };
    quote! {
        match #parse {
            ::core::result::Result::Ok(__mcpwire_parsed) => __mcpwire_parsed,
            ::core::result::Result::Err(__mcpwire_error) => {
                return ::core::result::Result::Err(#krate::Error::invalid_params(::std::format!(
                    "Invalid value {:?} for `{}` in resource URI {}: {}",
                    __mcpwire_value, #name, __mcpwire_uri, __mcpwire_error
                )));
            }
        }
    }
}
