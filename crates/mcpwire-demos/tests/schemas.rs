//! Every tool of every demo server lists input and output schemas that
//! hosts with a one-type schema dialect accept (`check_portable`).

mod common;

use common::connect;
use mcpwire::server::Server;
use mcpwire_demos::demo::TempDb;
use mcpwire_demos::sqlite::{self, create_sample_database};
use mcpwire_demos::support_desk;

async fn assert_portable_tools(name: &str, server: &Server) {
    mcpwire_testkit::schemas::assert_portable_tools(name, &connect(server).await).await;
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
