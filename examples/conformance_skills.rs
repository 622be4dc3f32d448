//! The skills the conformance suite's skills-extension scenarios
//! (`sep-2640-skills-directory`, `sep-2640-skills-enumeration`,
//! `sep-2640-skills-manifest`) find on the server.
//!
//! The scenarios discover what to exercise from `skills/list`: the first
//! entry's root directory must have a subdirectory (for the
//! `inode/directory` check), and its `SKILL.md` is the non-directory URI
//! they probe `resources/directory/read` with. A second skill sits below an
//! organizational prefix, so the listing shows both URI forms.

use mcpwire::server::Skill;

const PDF_SKILL_MD: &str = "---
name: pdf-processing
description: Extract, fill, and assemble PDF documents
license: Apache-2.0
metadata:
  version: \"2.1.0\"
---

# PDF processing

Fill forms with `references/FORMS.md`; pick the matching template from
`templates/`; extract text with `scripts/extract.py`.
";

const REFUNDS_SKILL_MD: &str = "---
name: refunds
description: Process customer refund requests per company policy
---

# Refunds

Answer the customer with `examples/email.md`.
";

/// The skills the conformance server publishes.
pub fn skills() -> Vec<Skill> {
    let pdf = Skill::from_files([
        ("SKILL.md", PDF_SKILL_MD),
        ("references/FORMS.md", "# Forms\n\nFill every field.\n"),
        ("templates/invoice.md", "# Invoice\n"),
        ("templates/purchase-order.md", "# Purchase order\n"),
        ("templates/regional/eu-invoice.md", "# EU invoice\n"),
        (
            "scripts/extract.py",
            "import sys\nprint(open(sys.argv[1], 'rb').read()[:64])\n",
        ),
    ])
    .expect("the pdf-processing fixture skill is valid");
    let refunds = Skill::from_files([
        ("SKILL.md", REFUNDS_SKILL_MD),
        (
            "examples/email.md",
            "Dear customer, your refund is on its way.\n",
        ),
    ])
    .and_then(|s| s.under("acme/billing"))
    .expect("the refunds fixture skill is valid");
    vec![pdf, refunds]
}
