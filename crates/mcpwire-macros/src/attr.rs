//! The options each macro accepts (`name = "..."`, `annotations(...)`,
//! `complete(...)`, `crate = path`, ...), parsed with precise errors for
//! unknown or repeated ones.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, Ident, LitBool, LitStr, Meta, Path, Token, Type};

/// Which macro the options belong to; decides the options it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tool,
    Resource,
    Prompt,
    Routes,
}

impl Kind {
    /// The attribute's name, as users write it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Resource => "resource",
            Kind::Prompt => "prompt",
            Kind::Routes => "routes",
        }
    }

    /// The marker attribute that selects this kind, judged by its last path
    /// segment (`tool`, `mcpwire::tool`, `mw::tool`, ...).
    pub(crate) fn of_attribute(attr: &Attribute) -> Option<Kind> {
        let last = attr.path().segments.last()?;
        match last.ident.to_string().as_str() {
            "tool" => Some(Kind::Tool),
            "resource" => Some(Kind::Resource),
            "prompt" => Some(Kind::Prompt),
            _ => None,
        }
    }

    fn allowed(self) -> &'static [&'static str] {
        match self {
            Kind::Tool => &[
                "name",
                "title",
                "description",
                "annotations",
                "icons",
                "ui",
                "output",
                "read_only",
                "destructive",
                "idempotent",
                "open_world",
                "crate",
            ],
            Kind::Resource => &[
                "uri",
                "name",
                "title",
                "description",
                "mime_type",
                "complete",
                "crate",
            ],
            Kind::Prompt => &["name", "title", "description", "complete", "crate"],
            Kind::Routes => &["crate"],
        }
    }
}

/// The behaviour hints of a tool; `None` leaves a hint unset.
#[derive(Default)]
pub(crate) struct Hints {
    pub(crate) read_only: Option<LitBool>,
    pub(crate) destructive: Option<LitBool>,
    pub(crate) idempotent: Option<LitBool>,
    pub(crate) open_world: Option<LitBool>,
}

impl Hints {
    pub(crate) fn any(&self) -> bool {
        self.read_only.is_some()
            || self.destructive.is_some()
            || self.idempotent.is_some()
            || self.open_world.is_some()
    }
}

/// The names of the hints, as `annotations(...)` takes them.
const HINTS: &[&str] = &["read_only", "destructive", "idempotent", "open_world"];

impl Hints {
    fn slot(&mut self, name: &str) -> &mut Option<LitBool> {
        match name {
            "read_only" => &mut self.read_only,
            "destructive" => &mut self.destructive,
            "idempotent" => &mut self.idempotent,
            _ => &mut self.open_world,
        }
    }

    /// Sets one hint, refusing a hint given twice (`read_only` and
    /// `annotations(read_only)` included).
    fn set(&mut self, key: &Ident, value: LitBool) -> syn::Result<()> {
        let slot = self.slot(&key.to_string());
        if slot.is_some() {
            return Err(syn::Error::new(
                key.span(),
                format!("`{key}` is given twice; keep one"),
            ));
        }
        *slot = Some(value);
        Ok(())
    }
}

/// `output = ...`: the tool's output schema, instead of the one its return
/// type implies.
pub(crate) enum Output {
    /// `output = none`: no output schema.
    None,
    /// `output = T`: `T`'s schema.
    Type(Box<Type>),
}

/// One `name = completer` of `complete(...)`.
pub(crate) struct Completion {
    /// The argument (or template variable) it completes.
    pub(crate) arg: Ident,
    /// The completer: a path to a function, or a closure.
    pub(crate) completer: Expr,
}

/// The options of one macro invocation.
pub(crate) struct Options {
    pub(crate) krate: Path,
    /// Whether `crate = ...` was given explicitly.
    pub(crate) krate_set: bool,
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) mime_type: Option<LitStr>,
    pub(crate) uri: Option<LitStr>,
    /// `ui = "ui://..."`: the MCP App that shows a tool's results.
    pub(crate) ui: Option<LitStr>,
    pub(crate) hints: Hints,
    /// `icons = expr`: an iterable of `Icon`s.
    pub(crate) icons: Option<Expr>,
    pub(crate) output: Option<Output>,
    /// `complete(arg = completer, ...)`, in the order written.
    pub(crate) complete: Vec<Completion>,
}

impl Options {
    fn new() -> Self {
        Options {
            krate: syn::parse_quote!(::mcpwire),
            krate_set: false,
            name: None,
            title: None,
            description: None,
            mime_type: None,
            uri: None,
            ui: None,
            hints: Hints::default(),
            icons: None,
            output: None,
            complete: Vec::new(),
        }
    }

    /// Parses the arguments of `#[tool(...)]` and the like.
    /// `span` is where a missing-URI error points.
    pub(crate) fn parse(kind: Kind, tokens: TokenStream, span: Span) -> syn::Result<Self> {
        let parser = |input: ParseStream| parse_options(kind, input, span);
        parser.parse2(tokens)
    }

    /// Parses the options of a marker attribute met inside `#[routes]`.
    pub(crate) fn from_attribute(kind: Kind, attr: &Attribute) -> syn::Result<Self> {
        let span = syn::spanned::Spanned::span(attr);
        match &attr.meta {
            Meta::Path(_) => Options::parse(kind, TokenStream::new(), span),
            Meta::List(list) => Options::parse(kind, list.tokens.clone(), span),
            Meta::NameValue(nv) => Err(syn::Error::new_spanned(
                nv,
                format!("write `#[{0}(...)]`, not `#[{0} = ...]`", kind.name()),
            )),
        }
    }

    /// The crate path of the enclosing `#[routes]` applies unless this
    /// route names its own.
    pub(crate) fn inherit_crate(&mut self, outer: &Path) {
        if !self.krate_set {
            self.krate = outer.clone();
        }
    }
}

fn parse_options(kind: Kind, input: ParseStream, span: Span) -> syn::Result<Options> {
    let mut opts = Options::new();
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        if kind != Kind::Resource {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "unexpected string; to name the {0}, write `#[{0}(name = {1:?})]`",
                    kind.name(),
                    lit.value()
                ),
            ));
        }
        opts.uri = Some(lit);
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    let mut seen: Vec<String> = Vec::new();
    while !input.is_empty() {
        let key = Ident::parse_any(input)?;
        let key_str = key.to_string();
        if !kind.allowed().contains(&key_str.as_str()) {
            return Err(unknown_option(kind, &key));
        }
        if seen.contains(&key_str) {
            return Err(syn::Error::new(
                key.span(),
                format!("`{key_str}` is given twice; keep one"),
            ));
        }
        seen.push(key_str.clone());
        match key_str.as_str() {
            "crate" => {
                input.parse::<Token![=]>()?;
                opts.krate = parse_path(input)?;
                opts.krate_set = true;
            }
            "read_only" | "destructive" | "idempotent" | "open_world" => {
                let value = parse_flag(&key, input)?;
                opts.hints.set(&key, value)?;
            }
            "annotations" => parse_annotations(&key, input, &mut opts.hints)?,
            "icons" => opts.icons = Some(parse_value(&key, input, "an expression")?),
            "output" => opts.output = Some(parse_output(&key, input)?),
            "complete" => opts.complete = parse_complete(&key, input)?,
            _ => {
                let value = parse_string(&key, input)?;
                let slot = match key_str.as_str() {
                    "name" => &mut opts.name,
                    "title" => &mut opts.title,
                    "description" => &mut opts.description,
                    "mime_type" => &mut opts.mime_type,
                    "ui" => &mut opts.ui,
                    _ => &mut opts.uri,
                };
                if key_str == "uri" && slot.is_some() {
                    return Err(syn::Error::new(
                        key.span(),
                        "the URI is already given as the first argument; keep one",
                    ));
                }
                *slot = Some(value);
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    if let Some(ui) = &opts.ui
        && !ui.value().starts_with("ui://")
    {
        return Err(syn::Error::new(
            ui.span(),
            format!(
                "an MCP App's page has a `ui://` URI, not {:?}; write e.g. `ui = \"ui://app/view\"`",
                ui.value()
            ),
        ));
    }
    if kind == Kind::Resource && opts.uri.is_none() {
        return Err(syn::Error::new(
            span,
            "#[resource] needs a URI: write `#[resource(\"scheme://path\")]`, \
             or a template such as `#[resource(\"scheme://{id}\")]`",
        ));
    }
    Ok(opts)
}

fn unknown_option(kind: Kind, key: &Ident) -> syn::Error {
    let list = quoted_list(kind.allowed());
    syn::Error::new(
        key.span(),
        format!(
            "unknown option `{key}` for #[{}]; expected one of {list}",
            kind.name()
        ),
    )
}

/// `annotations(read_only, destructive = false, ...)`.
fn parse_annotations(key: &Ident, input: ParseStream, hints: &mut Hints) -> syn::Result<()> {
    let content = parenthesized(key, input, "annotations(read_only, destructive = false)")?;
    while !content.is_empty() {
        let hint = Ident::parse_any(&content)?;
        if !HINTS.contains(&hint.to_string().as_str()) {
            return Err(syn::Error::new(
                hint.span(),
                format!(
                    "unknown hint `{hint}` in `annotations(...)`; expected one of {}",
                    quoted_list(HINTS)
                ),
            ));
        }
        let value = parse_flag(&hint, &content)?;
        hints.set(&hint, value)?;
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(())
}

/// `output = none` or `output = SomeType`.
fn parse_output(key: &Ident, input: ParseStream) -> syn::Result<Output> {
    let ty: Type = parse_value(key, input, "`none` or a type")?;
    Ok(match &ty {
        Type::Path(p) if p.qself.is_none() && p.path.is_ident("none") => Output::None,
        _ => Output::Type(Box::new(ty)),
    })
}

/// `complete(arg = path::to::completer, other = ...)`.
fn parse_complete(key: &Ident, input: ParseStream) -> syn::Result<Vec<Completion>> {
    let content = parenthesized(key, input, "complete(arg = path::to::completer)")?;
    let mut out: Vec<Completion> = Vec::new();
    while !content.is_empty() {
        let arg = Ident::parse_any(&content)?;
        if out.iter().any(|c| c.arg.unraw() == arg.unraw()) {
            return Err(syn::Error::new(
                arg.span(),
                format!("`{}` is completed twice; keep one", arg.unraw()),
            ));
        }
        let completer = parse_value(&arg, &content, "a completer function")?;
        out.push(Completion { arg, completer });
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    if out.is_empty() {
        return Err(syn::Error::new(
            key.span(),
            "`complete()` names no argument: write `complete(arg = path::to::completer)`",
        ));
    }
    Ok(out)
}

/// The `( ... )` after an option such as `annotations`.
fn parenthesized<'a>(
    key: &Ident,
    input: ParseStream<'a>,
    example: &str,
) -> syn::Result<syn::parse::ParseBuffer<'a>> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` takes a list: write `{example}`"),
        ));
    }
    let content;
    syn::parenthesized!(content in input);
    Ok(content)
}

/// `key = value`, where `what` says what the value is, for the error.
fn parse_value<T: syn::parse::Parse>(
    key: &Ident,
    input: ParseStream,
    what: &str,
) -> syn::Result<T> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = ...`, with {what}"),
        ));
    }
    input.parse::<Token![=]>()?;
    input.parse()
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_string(key: &Ident, input: ParseStream) -> syn::Result<LitStr> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` needs a value: write `{key} = \"...\"`"),
        ));
    }
    input.parse::<Token![=]>()?;
    let value: LitStr = input.parse()?;
    if value.value().trim().is_empty() {
        return Err(syn::Error::new(
            value.span(),
            format!("`{key}` must not be empty"),
        ));
    }
    Ok(value)
}

/// A flag: `read_only` alone means true; `read_only = false` is explicit.
fn parse_flag(key: &Ident, input: ParseStream) -> syn::Result<LitBool> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        input.parse()
    } else {
        Ok(LitBool::new(true, key.span()))
    }
}

/// `crate = some::path`, or the same path as a string.
fn parse_path(input: ParseStream) -> syn::Result<Path> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        lit.parse()
    } else {
        Path::parse_mod_style(input)
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, Options};
    use proc_macro2::Span;
    use quote::quote;

    #[test]
    fn parses_tool_options() {
        let o = Options::parse(
            Kind::Tool,
            quote!(name = "add", read_only, destructive = false, crate = a::b),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(o.name.unwrap().value(), "add");
        assert!(o.hints.read_only.unwrap().value());
        assert!(!o.hints.destructive.unwrap().value());
        assert!(o.krate_set);
    }

    #[test]
    fn rejects_unknown_and_repeated() {
        let e = Options::parse(Kind::Prompt, quote!(read_only), Span::call_site())
            .err()
            .expect("an error");
        assert!(e.to_string().contains("unknown option `read_only`"));
        let e = Options::parse(
            Kind::Tool,
            quote!(name = "a", name = "b"),
            Span::call_site(),
        )
        .err()
        .expect("an error");
        assert!(e.to_string().contains("given twice"));
    }

    #[test]
    fn parses_annotations_icons_output_and_completion() {
        let o = Options::parse(
            Kind::Tool,
            quote!(
                annotations(read_only, destructive = false),
                open_world,
                icons = [a(), b()],
                output = none
            ),
            Span::call_site(),
        )
        .unwrap();
        assert!(o.hints.read_only.unwrap().value());
        assert!(!o.hints.destructive.unwrap().value());
        assert!(o.hints.open_world.unwrap().value());
        assert!(o.hints.idempotent.is_none());
        assert!(o.icons.is_some());
        assert!(matches!(o.output, Some(super::Output::None)));
        let o = Options::parse(Kind::Tool, quote!(output = my::Stats), Span::call_site()).unwrap();
        assert!(matches!(o.output, Some(super::Output::Type(_))));

        let o = Options::parse(
            Kind::Prompt,
            quote!(complete(r#type = Self::types, name = names)),
            Span::call_site(),
        )
        .unwrap();
        let args: Vec<String> = o.complete.iter().map(|c| c.arg.to_string()).collect();
        assert_eq!(args, ["r#type", "name"]);
    }

    #[test]
    fn rejects_bad_annotations_and_completion() {
        let err = |kind, tokens| {
            Options::parse(kind, tokens, Span::call_site())
                .err()
                .expect("an error")
                .to_string()
        };
        assert!(err(Kind::Tool, quote!(annotations(raed_only))).contains("unknown hint"));
        assert!(err(Kind::Tool, quote!(idempotent, annotations(idempotent))).contains("twice"));
        assert!(err(Kind::Tool, quote!(annotations)).contains("takes a list"));
        assert!(err(Kind::Tool, quote!(complete(a = b))).contains("unknown option"));
        assert!(err(Kind::Prompt, quote!(complete(a = b, a = c))).contains("completed twice"));
        assert!(err(Kind::Prompt, quote!(complete())).contains("names no argument"));
        assert!(err(Kind::Prompt, quote!(complete(a))).contains("needs a value"));
    }

    #[test]
    fn a_tool_names_its_app_by_a_ui_uri() {
        let o = Options::parse(
            Kind::Tool,
            quote!(ui = "ui://desk/board"),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(o.ui.unwrap().value(), "ui://desk/board");
        let err = |kind, tokens| {
            Options::parse(kind, tokens, Span::call_site())
                .err()
                .expect("an error")
                .to_string()
        };
        assert!(err(Kind::Tool, quote!(ui = "https://x/y")).contains("`ui://` URI"));
        assert!(err(Kind::Tool, quote!(ui = 3)).contains("string"));
        assert!(err(Kind::Prompt, quote!(ui = "ui://a/b")).contains("unknown option `ui`"));
        assert!(err(Kind::Resource, quote!("a://b", ui = "ui://a/b")).contains("unknown option"));
    }

    #[test]
    fn resource_takes_a_leading_uri() {
        let o = Options::parse(
            Kind::Resource,
            quote!("a://{x}", mime_type = "text/plain"),
            Span::call_site(),
        )
        .unwrap();
        assert_eq!(o.uri.unwrap().value(), "a://{x}");
        assert!(Options::parse(Kind::Resource, quote!(name = "x"), Span::call_site()).is_err());
    }
}
