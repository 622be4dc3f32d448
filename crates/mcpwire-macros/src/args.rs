//! Parameter analysis: which parameters are borrowed from the request
//! (`&Context`), which are owned (an extractor or an argument, which the
//! generated code tells apart through the `FromContext` trait), and what
//! the macros need to know about each.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Attribute, FnArg, GenericArgument, Ident, LitStr, Pat, PathArguments, ReturnType, Signature,
    Type, TypePath,
};

use crate::attr::Kind;
use crate::docs;

/// How the function receives `self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    /// No `self`: a free function, or an associated one inside `#[routes]`.
    None,
    /// `&self`, called on the `Arc`'d state.
    Ref,
    /// `self: Arc<Self>`, called with a clone of the `Arc`.
    Arc,
}

/// One parameter of the marked function.
pub(crate) enum Param {
    /// `&T`, lent by the request: `T` must be the context (the generated
    /// code asks the `Borrowed` trait).
    Borrowed(Box<Type>),
    /// An owned value: an extractor (its type implements `FromContext`) or
    /// an argument the client supplies.
    Owned(Box<Arg>),
}

/// An owned parameter: an extractor, or an argument the client supplies.
pub(crate) struct Arg {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// `Option<T>`: as an argument, the client may leave it out.
    pub(crate) optional: bool,
    /// Doc comments, `#[serde]` and `#[schemars]` attributes, forwarded to
    /// the hidden structs' fields.
    pub(crate) field_attrs: Vec<Attribute>,
    /// From `#[arg(description = "...")]`.
    pub(crate) description: Option<LitStr>,
    /// Marked `#[extractor]`: an extractor the typed client call leaves
    /// out, whatever its type's name.
    pub(crate) extractor: bool,
}

impl Arg {
    /// Whether the parameter's attributes (`#[serde]`, `#[schemars]`,
    /// `#[arg]`) already say that it is an argument; otherwise the
    /// generated code asks the compiler.
    pub(crate) fn declared(&self) -> bool {
        self.description.is_some() || self.field_attrs.iter().any(|a| !docs::is_doc(a))
    }

    /// The argument's name on the wire (raw identifiers lose their `r#`).
    pub(crate) fn wire_name(&self) -> String {
        self.ident.unraw().to_string()
    }
}

/// What the macros need to know about a marked function.
pub(crate) struct Handler {
    pub(crate) ident: Ident,
    pub(crate) is_async: bool,
    pub(crate) receiver: Receiver,
    /// Inside a `#[routes]` impl block: calls go through `Self::`.
    pub(crate) in_impl: bool,
    pub(crate) params: Vec<Param>,
    /// The return type; `()` when there is none.
    pub(crate) output: Type,
    /// Where errors about the return type point.
    pub(crate) output_span: Span,
    pub(crate) docs: Option<String>,
}

impl Handler {
    /// The name the route gets unless `name = "..."` says otherwise.
    pub(crate) fn default_name(&self) -> String {
        self.ident.unraw().to_string()
    }

    /// The owned parameters, extractors and arguments alike.
    pub(crate) fn owned(&self) -> impl Iterator<Item = &Arg> {
        self.params.iter().filter_map(|p| match p {
            Param::Owned(a) => Some(&**a),
            Param::Borrowed(_) => None,
        })
    }
}

/// Collects every error instead of stopping at the first.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// Analyzes the signature of a function marked with `kind`. Attributes meant
/// for the macro (`///` docs, `#[arg]`, `#[serde]`, `#[schemars]`) are
/// removed from the parameters, even when an error is returned, so the
/// function itself still compiles. `self_ty` is the `#[routes]` impl's type,
/// or `None` for a free function.
pub(crate) fn analyze(
    kind: Kind,
    sig: &mut Signature,
    attrs: &[Attribute],
    self_ty: Option<&Type>,
) -> syn::Result<Handler> {
    let mut errors = Errors::default();
    let what = kind.name();

    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            generics_tokens(sig),
            format!(
                "#[{what}] functions cannot be generic: the client's arguments are \
                 described and parsed from concrete types; replace the generic \
                 parameters with concrete types"
            ),
        ));
    }
    if let Some(u) = &sig.unsafety {
        errors.push(syn::Error::new(
            u.span(),
            format!("#[{what}] functions cannot be `unsafe`: clients call them with any input"),
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new(
            v.span(),
            format!("#[{what}] functions cannot be variadic"),
        ));
    }

    let mut receiver = Receiver::None;
    let mut params = Vec::new();
    for input in &mut sig.inputs {
        match input {
            FnArg::Receiver(r) => match check_receiver(kind, r, self_ty) {
                Ok(kind) => receiver = kind,
                Err(e) => errors.push(e),
            },
            FnArg::Typed(pt) => {
                let (field_attrs, arg_attrs, marker) = take_macro_attrs(&mut pt.attrs);
                match param(kind, &pt.pat, &pt.ty, field_attrs, arg_attrs, marker) {
                    Ok(p) => params.push(p),
                    Err(e) => errors.push(e),
                }
            }
        }
    }

    let (output, output_span) = match &sig.output {
        ReturnType::Default => (syn::parse_quote!(()), sig.ident.span()),
        ReturnType::Type(_, ty) => {
            if kind == Kind::Tool && contains_impl_trait(ty) {
                errors.push(syn::Error::new_spanned(
                    ty,
                    "#[tool] functions must name their return type, not `impl Trait`: \
                     the tool's output schema is derived from it",
                ));
            }
            ((**ty).clone(), ty.span())
        }
    };

    errors.finish(Handler {
        ident: sig.ident.clone(),
        is_async: sig.asyncness.is_some(),
        receiver,
        in_impl: self_ty.is_some(),
        params,
        output,
        output_span,
        docs: docs::description(attrs),
    })
}

/// The generic parameters, or the `where` clause when there are none.
fn generics_tokens(sig: &Signature) -> TokenStream {
    let g = &sig.generics;
    if g.params.is_empty() {
        g.where_clause.to_token_stream()
    } else {
        g.to_token_stream()
    }
}

fn check_receiver(kind: Kind, r: &syn::Receiver, self_ty: Option<&Type>) -> syn::Result<Receiver> {
    let what = kind.name();
    if self_ty.is_none() {
        return Err(syn::Error::new_spanned(
            r,
            format!(
                "#[{what}] on a method needs #[mcpwire::routes] on its `impl` block: \
                 `routes()` registers the method with the state behind an `Arc`"
            ),
        ));
    }
    let by_ref = r.reference.is_some() && r.mutability.is_none() && r.colon_token.is_none();
    if by_ref {
        return Ok(Receiver::Ref);
    }
    if r.colon_token.is_some() && is_arc_self(&r.ty) {
        return Ok(Receiver::Arc);
    }
    Err(syn::Error::new_spanned(
        r,
        format!(
            "#[{what}] methods take `&self` (or `self: Arc<Self>`): the state is shared \
             between concurrent requests; use interior mutability (a `Mutex`, atomics) \
             to change it"
        ),
    ))
}

fn is_arc_self(ty: &Type) -> bool {
    let Type::Path(TypePath { qself: None, path }) = ty else {
        return false;
    };
    let Some(last) = path.segments.last() else {
        return false;
    };
    last.ident == "Arc"
        && matches!(&last.arguments, PathArguments::AngleBracketed(a)
            if a.args.len() == 1
                && matches!(&a.args[0], GenericArgument::Type(Type::Path(p)) if p.path.is_ident("Self")))
}

/// Splits off the attributes meant for the macro: returns the ones to put
/// on the hidden struct's field (docs, `#[serde]`, `#[schemars]`), the
/// `#[arg(...)]` ones and the `#[extractor]` marker. The rest (`#[allow]`,
/// `#[cfg]`, ...) stay.
fn take_macro_attrs(
    attrs: &mut Vec<Attribute>,
) -> (Vec<Attribute>, Vec<Attribute>, Option<Attribute>) {
    let mut field = Vec::new();
    let mut arg = Vec::new();
    let mut marker = None;
    let mut keep = Vec::new();
    for a in attrs.drain(..) {
        if docs::is_doc(&a) || a.path().is_ident("serde") || a.path().is_ident("schemars") {
            field.push(a);
        } else if a.path().is_ident("arg") {
            arg.push(a);
        } else if a.path().is_ident("extractor") {
            marker = Some(a);
        } else {
            keep.push(a);
        }
    }
    *attrs = keep;
    (field, arg, marker)
}

fn param(
    kind: Kind,
    pat: &Pat,
    ty: &Type,
    field_attrs: Vec<Attribute>,
    arg_attrs: Vec<Attribute>,
    marker: Option<Attribute>,
) -> syn::Result<Param> {
    let what = kind.name();
    if let Some(m) = &marker {
        m.meta.require_path_only()?;
        if kind != Kind::Tool {
            return Err(syn::Error::new_spanned(
                m,
                format!(
                    "#[extractor] marks a tool's parameter for the tool's typed client \
                     call; a #[{what}] has no such call, and tells its extractors apart \
                     by their types"
                ),
            ));
        }
        if let Some(a) = field_attrs
            .iter()
            .find(|a| !docs::is_doc(a))
            .or(arg_attrs.first())
        {
            return Err(syn::Error::new(
                a.span(),
                "an #[extractor] parameter is no argument: #[serde], #[schemars] and \
                 #[arg] do not apply to it",
            ));
        }
    }
    if let Some(lent) = borrowed_type(ty) {
        return Ok(Param::Borrowed(Box::new(lent.clone())));
    }
    let ident = match pat {
        Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => pi.ident.clone(),
        other => {
            return Err(syn::Error::new_spanned(
                other,
                format!(
                    "#[{what}] parameters must be plain names, not patterns: the name \
                     becomes the argument's name; write `name: Type` and destructure \
                     inside the function"
                ),
            ));
        }
    };
    if let Type::Reference(r) = ty {
        return Err(syn::Error::new_spanned(
            r,
            format!(
                "#[{what}] parameters must own their data, since they are parsed from \
                 the request: use `String` instead of `&str`, `Vec<T>` instead of `&[T]`"
            ),
        ));
    }
    if contains_impl_trait(ty) {
        return Err(syn::Error::new_spanned(
            ty,
            format!(
                "`impl Trait` parameters are generic, and #[{what}] functions cannot be: \
                 use a concrete type"
            ),
        ));
    }
    let description = arg_description(&arg_attrs)?;
    if kind == Kind::Resource {
        if let Some(a) = field_attrs.iter().find(|a| !docs::is_doc(a)) {
            return Err(syn::Error::new(
                a.span(),
                "resource parameters are parsed from the URI with `FromStr`; \
                 #[serde] and #[schemars] attributes do not apply to them",
            ));
        }
        if let Some(d) = &description {
            return Err(syn::Error::new(
                d.span(),
                "resource parameters have no description; describe them in the \
                 resource's doc comment",
            ));
        }
    }
    Ok(Param::Owned(Box::new(Arg {
        ident,
        optional: option_inner(ty).is_some(),
        ty: ty.clone(),
        field_attrs,
        description,
        extractor: marker.is_some(),
    })))
}

/// `#[arg(description = "...")]`.
fn arg_description(attrs: &[Attribute]) -> syn::Result<Option<LitStr>> {
    let mut description = None;
    for a in attrs {
        a.parse_nested_meta(|meta| {
            if meta.path.is_ident("description") {
                if description.is_some() {
                    return Err(meta.error("`description` is given twice; keep one"));
                }
                description = Some(meta.value()?.parse::<LitStr>()?);
                Ok(())
            } else {
                Err(meta.error(
                    "unknown option for #[arg]; expected `description = \"...\"` \
                     (use #[serde(...)] or #[schemars(...)] for the rest)",
                ))
            }
        })?;
    }
    Ok(description)
}

/// The `T` of a `&T` parameter that may be lent by the request: a shared
/// reference to a named type. `&str`, slices and `&mut` are reported as
/// arguments that must own their data.
fn borrowed_type(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Path(TypePath { qself: None, path }) if !path.is_ident("str") => Some(&r.elem),
            Type::Paren(p) => borrowed_type(&p.elem),
            Type::Group(g) => borrowed_type(&g.elem),
            _ => None,
        },
        Type::Paren(p) => borrowed_type(&p.elem),
        Type::Group(g) => borrowed_type(&g.elem),
        _ => None,
    }
}

/// The `T` of an `Option<T>`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(TypePath { qself: None, path }) = ty else {
        return None;
    };
    let last = path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl syn::visit::Visit<'_> for Finder {
        fn visit_type_impl_trait(&mut self, _: &syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut f = Finder(false);
    syn::visit::Visit::visit_type(&mut f, ty);
    f.0
}
