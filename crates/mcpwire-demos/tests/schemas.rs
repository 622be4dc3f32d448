//! Every tool of every demo server lists input and output schemas that
//! hosts with a one-type schema dialect accept (`check_portable`).

mod common;

use common::connect;
use mcpwire::server::{Server, check_portable};
use mcpwire_demos::demo::TempDb;
use mcpwire_demos::sqlite::{self, create_sample_database};
use mcpwire_demos::support_desk;

async fn assert_portable_tools(name: &str, server: &Server) {
    let tools = connect(server).await.list_tools().await.unwrap();
    assert!(!tools.is_empty(), "{name} lists no tools");
    for tool in tools {
        let schemas = [
            ("input", Some(&tool.input_schema)),
            ("output", tool.output_schema.as_ref()),
        ];
        for (kind, schema) in schemas {
            if let Some(Err(issues)) = schema.map(check_portable) {
                panic!(
                    "{name}: the {kind} schema of {} is not portable: {issues:#?}",
                    tool.name
                );
            }
        }
    }
}

#[tokio::test]
async fn every_demo_tool_schema_is_portable() {
    let desk_db = TempDb::new().unwrap();
    let desk = support_desk::server(desk_db.path()).unwrap();
    assert_portable_tools("support desk", &desk).await;

    let sql_db = TempDb::new().unwrap();
    create_sample_database(sql_db.path()).unwrap();
    let sql = sqlite::server(sql_db.path()).unwrap();
    assert_portable_tools("sqlite", &sql).await;
}
