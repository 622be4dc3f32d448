//! The skills the skills tests publish: `pdf-processing` (with supporting
//! files, text and binary) and `refunds` (under `acme/billing`).

use mcpwire::server::Skill;

pub const PDF_MD: &str = "---\nname: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\nmetadata:\n  version: \"2.1.0\"\n---\n\n# PDF\n\nSee references/FORMS.md.\n";
pub const FORMS_MD: &str = "# Forms\n";
pub const REFUNDS_MD: &str =
    "---\nname: refunds\ndescription: Process refunds per company policy\n---\n\nBe kind.\n";
pub const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00];

pub fn pdf() -> Skill {
    Skill::from_files([
        ("SKILL.md", PDF_MD.as_bytes()),
        ("references/FORMS.md", FORMS_MD.as_bytes()),
        ("templates/regional/eu.md", b"# EU\n"),
        ("assets/logo.png", PNG),
    ])
    .unwrap()
}

pub fn refunds() -> Skill {
    Skill::from_files([
        ("SKILL.md", REFUNDS_MD),
        ("examples/email.md", "Dear customer\n"),
    ])
    .unwrap()
    .under("acme/billing")
    .unwrap()
}
