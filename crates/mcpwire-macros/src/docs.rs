//! Doc comments: how `///` lines on an item become its MCP description.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The text of the item's `///` comments (and literal `#[doc = "..."]`
/// attributes): common indentation removed, lines joined with `\n`, and the
/// whole trimmed. `None` when there is no text.
pub(crate) fn description(attrs: &[Attribute]) -> Option<String> {
    let docs: Vec<String> = attrs.iter().filter_map(doc_text).collect();
    // `split`, not `lines`: an empty `///` line is an empty string, which
    // must stay a blank line.
    let lines: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.split('\n'))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether the attribute is a doc comment (of any form).
pub(crate) fn is_doc(attr: &Attribute) -> bool {
    attr.path().is_ident("doc")
}

/// The value of a `#[doc = "..."]` attribute with a literal string.
fn doc_text(attr: &Attribute) -> Option<String> {
    let Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("doc") {
        return None;
    }
    match &nv.value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::description;
    use syn::parse_quote;

    #[test]
    fn joins_trims_and_dedents() {
        let item: syn::ItemFn = parse_quote! {
            /// Adds two numbers.
            ///
            ///   Indented more.
            fn f() {}
        };
        assert_eq!(
            description(&item.attrs).as_deref(),
            Some("Adds two numbers.\n\n  Indented more.")
        );
    }

    #[test]
    fn none_without_text() {
        let item: syn::ItemFn = parse_quote! {
            ///
            fn f() {}
        };
        assert_eq!(description(&item.attrs), None);
    }
}
