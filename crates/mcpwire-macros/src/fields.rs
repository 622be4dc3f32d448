//! The hidden items behind a tool's or prompt's parameters, and how each
//! call binds them.
//!
//! The macro cannot tell an extractor from an argument by its type's name,
//! so the generated code asks the compiler once, when the route is built:
//! `(&&Probe::<T, A>::new()).kind()` is an `Extractor<T>` when `T:
//! FromContext` and an `Argument<T, A>` when `T` deserializes (see
//! `mcpwire_server::__private`). A parameter whose `#[serde]`, `#[schemars]`
//! or `#[arg]` attributes already say it is an argument skips the question.
//!
//! - Every owned parameter gets a one-field struct (`__McpwireArgN`) that
//!   carries its attributes and derives its schema; a parameter that may
//!   be an extractor gets one whose `JsonSchema` holds only when its type
//!   has one, so that it compiles either way. The input schema is
//!   assembled from the arguments' structs once, when the route is built.
//! - One struct (`__McpwireArgs`) receives every owned parameter in one
//!   pass of `serde`, as before: an argument's field is its type, an
//!   extractor's a `Skip` that reads nothing. A parameter the compiler is
//!   asked about has a generic field, so one struct fits either answer.
//! - Each call then takes every parameter from its field (an argument) or
//!   from the context (an extractor).

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Ident, LitStr, Type, TypePath};

use crate::args::{Arg, Handler};

/// The generated pieces of a tool's or prompt's parameters.
pub(crate) struct Fields {
    /// Items and statements run when the route is built. They leave
    /// `__mcpwire_kinds` (what each parameter is), `__mcpwire_schema` (the
    /// input schema) and `__mcpwire_args_ty` (the witness of the arguments'
    /// struct) in scope.
    pub(crate) setup: TokenStream,
    /// Statements that take `__mcpwire_all`, the deserialized struct, apart
    /// and bind every owned parameter under its name, with `?` on an
    /// extractor's error.
    pub(crate) bind: TokenStream,
}

/// Generates the pieces. Their derives and attributes name serde and
/// schemars only through `krate::__private`, so users need neither as a
/// dependency. `Self` in parameter types becomes `self_ty`, since the
/// structs are items of their own inside the `routes()` body.
pub(crate) fn build(h: &Handler, krate: &syn::Path, self_ty: Option<&Type>) -> Fields {
    let private = quote!(#krate::server::__private);
    let serde_path = crate_string(krate, "serde");
    let schemars_path = crate_string(krate, "schemars");
    let owned: Vec<&Arg> = h.owned().collect();

    let mut schema_structs = Vec::new();
    let mut kinds = Vec::new();
    let mut main_fields = Vec::new();
    let mut generics = Vec::new();
    let mut witness_args = Vec::new();
    let mut takes = Vec::new();
    let mut k_params = Vec::new();
    for (i, a) in owned.iter().enumerate() {
        let ty = replace_self(&a.ty, self_ty);
        let name = &a.ident;
        let one = format_ident!("__McpwireArg{}", i);
        let k = format_ident!("__McpwireK{}", i);
        let index = syn::Index::from(i);
        let declared = a.declared();
        let default = a.optional.then(|| quote!(#[serde(default)]));
        let description = a
            .description
            .as_ref()
            .map(|d| quote!(#[schemars(description = #d)]));
        let attrs = &a.field_attrs;
        // Only an argument's type must have a schema. The bound, which no
        // derive checks where it is written, keeps the derive from failing
        // for an extractor's; the derive applies bounds only to a generic
        // struct, hence the lifetime.
        let (lifetime, phantom, bound) = if declared {
            (None, None, None)
        } else {
            let text = format!(
                "for<'__mcpwire_any> {}: {}::JsonSchema",
                quote!(#ty),
                schemars_path.value()
            );
            let text = LitStr::new(&text, Span::call_site());
            (
                Some(quote!(<'__mcpwire>)),
                Some(quote! {
                    #[schemars(skip)]
                    __mcpwire_lifetime: ::core::marker::PhantomData<&'__mcpwire ()>,
                }),
                Some(quote!(#[schemars(bound = #text)])),
            )
        };
        schema_structs.push(quote! {
            #[allow(dead_code)]
            #[derive(#krate::__private::schemars::JsonSchema)]
            #[schemars(crate = #schemars_path)]
            #bound
            struct #one #lifetime {
                #(#attrs)*
                #description
                #default
                #name: #ty,
                #phantom
            }
        });
        // Every token at the parameter's type, so that a type that is
        // neither extractor nor argument is reported there.
        let kind = if declared {
            quote!(#private::Argument::<#ty, #one>::new())
        } else {
            quote!((&&#private::Probe::<#ty, #one<'static>>::new()).kind())
        };
        kinds.push(respan(kind, ty.span()));
        if declared {
            let serde_attrs = attrs.iter().filter(|a| a.path().is_ident("serde"));
            main_fields.push(quote! {
                #(#serde_attrs)*
                #default
                #name: #ty
            });
        } else {
            let f = format_ident!("__McpwireF{}", i);
            main_fields.push(quote!(#name: #f));
            generics.push(f);
            witness_args.push(quote!(<#k as #private::Param>::Field));
        }
        k_params.push(quote!(#k: #private::Param));
        takes.push(quote! {
            let #name: #ty = #private::Param::take(__mcpwire_kinds.#index, #name, &__mcpwire_cx)?;
        });
    }
    let ks: Vec<Ident> = (0..owned.len())
        .map(|i| format_ident!("__McpwireK{}", i))
        .collect();
    let names = owned.iter().map(|a| &a.ident);
    let indices = (0..owned.len()).map(syn::Index::from);
    let setup = quote! {
        #(#schema_structs)*
        #[derive(#krate::__private::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        struct __McpwireArgs<#(#generics),*> {
            #(#main_fields,)*
        }
        fn __mcpwire_args_of<#(#k_params),*>(
            _: &(#(#ks,)*),
        ) -> ::core::marker::PhantomData<fn() -> __McpwireArgs<#(#witness_args),*>> {
            ::core::marker::PhantomData
        }
        #[allow(unused_imports)]
        use #private::{ArgumentParam as _, ExtractorParam as _};
        let __mcpwire_kinds = (#(#kinds,)*);
        let __mcpwire_schema = {
            #[allow(unused_mut)]
            let mut __mcpwire_schema = #private::InputSchema::new();
            #(#private::Param::describe(__mcpwire_kinds.#indices, &mut __mcpwire_schema);)*
            __mcpwire_schema.finish()
        };
        let __mcpwire_args_ty = __mcpwire_args_of(&__mcpwire_kinds);
    };
    let bind = quote! {
        let __McpwireArgs { #(#names),* } = __mcpwire_all;
        #(#takes)*
    };
    Fields { setup, bind }
}

/// `tokens`, every one of them at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let TokenTree::Group(g) = &t {
                let mut inner = Group::new(g.delimiter(), respan(g.stream(), span));
                inner.set_span(span);
                t = TokenTree::Group(inner);
            } else {
                t.set_span(span);
            }
            t
        })
        .collect()
}

/// `"<krate>::__private::<name>"`, as serde's and schemars' `crate = "..."`
/// attributes want it.
fn crate_string(krate: &syn::Path, name: &str) -> LitStr {
    let path = quote!(#krate).to_string().replace(' ', "");
    LitStr::new(&format!("{path}::__private::{name}"), Span::call_site())
}

/// `ty` with `Self` replaced by `self_ty`.
pub(crate) fn replace_self(ty: &Type, self_ty: Option<&Type>) -> Type {
    let mut ty = ty.clone();
    if let Some(self_ty) = self_ty {
        ReplaceSelf(self_ty).visit_type_mut(&mut ty);
    }
    ty
}

struct ReplaceSelf<'a>(&'a Type);

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(TypePath { qself: None, path }) = ty
            && path.is_ident("Self")
        {
            *ty = self.0.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}
