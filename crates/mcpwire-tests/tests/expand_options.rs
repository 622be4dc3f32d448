//! The macros' options (`annotations(...)`, `icons`, `output`,
//! `complete(...)`), one `resource` builder method for both kinds of
//! `#[resource]`, `#[routes]` state given by value or in an `Arc`, and `()`
//! as "no arguments", driven through a real server and an in-memory client.

use std::sync::Arc;

use mcpwire::client::Client;
use mcpwire::server::{Context, GivenArguments, Json, PromptRoute, Server, ToolRoute};
use mcpwire::types::request::requests::Complete;
use mcpwire::types::{
    CompleteArgument, CompleteContext, CompleteReference, CompleteRequestParams, Icon,
    PromptReference, ResourceTemplateReference, Tool,
};
use serde_json::{Value, json};

// ---- tool options ------------------------------------------------------------

/// Looks a word up.
#[mcpwire::tool(
    title = "Look up",
    annotations(read_only, destructive = false, idempotent, open_world = false),
    icons = [Icon::new("https://example.com/book.svg"), brand_icon()]
)]
fn lookup(word: String) -> String {
    format!("{word}: a word")
}

fn brand_icon() -> Icon {
    let mut icon = Icon::new("data:image/png;base64,AAAA");
    icon.mime_type = Some("image/png".into());
    icon
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Stats {
    words: u32,
}

/// Counts words; its output schema is named, not implied.
#[mcpwire::tool(output = Stats)]
fn count(text: String) -> mcpwire::types::CallToolResult {
    let words = text.split_whitespace().count();
    let mut r = mcpwire::types::CallToolResult::text(words.to_string());
    r.structured_content = Some(json!({ "words": words }));
    r
}

/// Structured output without an output schema.
#[mcpwire::tool(output = none)]
fn loose() -> Json<Stats> {
    Json(Stats { words: 1 })
}

// ---- completion ----------------------------------------------------------------

const COLOURS: &[&str] = &["red", "green", "grey", "blue"];

/// Completes a colour, from a plain function.
fn colours(prefix: String) -> Vec<String> {
    (COLOURS.iter())
        .filter(|c| c.starts_with(&prefix))
        .map(|c| c.to_string())
        .collect()
}

/// Completes a shade of the colour already given, asynchronously.
async fn shades(prefix: String, given: GivenArguments) -> Vec<String> {
    let colour = given.get("colour").map_or("any", String::as_str);
    ["light", "dark"]
        .iter()
        .filter(|s| s.starts_with(&prefix))
        .map(|s| format!("{s} {colour}"))
        .collect()
}

/// Paints something.
#[mcpwire::prompt(complete(colour = colours, shade = shades))]
fn paint(colour: String, shade: Option<String>, thing: String) -> String {
    format!("Paint the {thing} {} {colour}", shade.unwrap_or_default())
}

/// Searches; the argument is completed by its name on the wire.
#[mcpwire::prompt(complete(q = colours))]
fn search(#[serde(rename = "q")] query: String) -> String {
    format!("Search for {query}")
}

/// A paint pot.
#[mcpwire::resource("pot://{colour}", complete(colour = colours))]
fn pot(colour: String) -> String {
    format!("a pot of {colour}")
}

/// The price list.
#[mcpwire::resource("pot://prices")]
fn prices() -> String {
    "cheap".to_owned()
}

// ---- #[routes] state, completed through `&self` ------------------------------------

struct Shop {
    stock: Vec<String>,
}

#[mcpwire::routes]
impl Shop {
    /// One item of the stock.
    #[resource("shop://{item}", complete(item = Self::items))]
    fn item(&self, item: String) -> String {
        format!("{item} in stock: {}", self.stock.contains(&item))
    }

    /// Asks about an item.
    #[prompt(complete(item = Self::items, colour = colours))]
    fn ask(&self, item: String, colour: Option<String>) -> String {
        format!("Ask about {item} ({colour:?}) among {}", self.stock.len())
    }

    /// Counts the stock.
    #[tool(annotations(read_only))]
    fn stock_size(&self) -> usize {
        self.stock.len()
    }

    /// The items that start with what was typed.
    async fn items(&self, prefix: String) -> Vec<String> {
        (self.stock.iter())
            .filter(|s| s.starts_with(&prefix))
            .cloned()
            .collect()
    }
}

fn shop() -> Shop {
    Shop {
        stock: vec!["brush".into(), "bucket".into(), "roller".into()],
    }
}

// ---- the harness -----------------------------------------------------------------

async fn connect(server: Server) -> Client {
    mcpwire_testkit::memory::connect(&server, Client::builder("t", "0")).await
}

fn server() -> Server {
    Server::builder("options", "1.0")
        .tool(lookup_tool())
        .tool(count_tool())
        .tool(loose_tool())
        .prompt(paint_prompt())
        .prompt(search_prompt())
        // One method for a template and a fixed resource alike.
        .resource(pot_resource())
        .resource(prices_resource())
        .build()
        .unwrap()
}

fn find<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools.iter().find(|t| t.name == name).unwrap()
}

async fn complete(
    client: &Client,
    reference: CompleteReference,
    arg: &str,
    typed: &str,
    given: &[(&str, &str)],
) -> Vec<String> {
    let context = (!given.is_empty()).then(|| CompleteContext {
        arguments: Some(
            (given.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
    });
    let p = CompleteRequestParams {
        reference,
        argument: CompleteArgument {
            name: arg.into(),
            value: typed.into(),
        },
        context,
        meta: None,
    };
    client
        .request::<Complete>(p)
        .await
        .unwrap()
        .completion
        .values
}

fn prompt(name: &str) -> CompleteReference {
    CompleteReference::Prompt(PromptReference {
        name: name.into(),
        title: None,
    })
}

fn template(uri: &str) -> CompleteReference {
    CompleteReference::Resource(ResourceTemplateReference { uri: uri.into() })
}

// ---- tests ---------------------------------------------------------------------------

#[tokio::test]
async fn tool_options_reach_the_listing() {
    let client = connect(server()).await;
    let tools = client.list_tools().await.unwrap();

    let lookup = find(&tools, "lookup");
    assert_eq!(lookup.title.as_deref(), Some("Look up"));
    let hints = lookup.annotations.as_ref().unwrap();
    assert_eq!(
        (
            hints.read_only_hint,
            hints.destructive_hint,
            hints.idempotent_hint,
            hints.open_world_hint
        ),
        (Some(true), Some(false), Some(true), Some(false))
    );
    let icons = lookup.icons.as_ref().unwrap();
    let srcs: Vec<&str> = icons.iter().map(|i| i.src.as_str()).collect();
    assert_eq!(
        srcs,
        ["https://example.com/book.svg", "data:image/png;base64,AAAA"]
    );
    assert_eq!(icons[1].mime_type.as_deref(), Some("image/png"));

    let count = find(&tools, "count");
    let output = count.output_schema.as_ref().expect("output = Stats");
    assert_eq!(output["properties"]["words"]["type"], "integer");
    assert_eq!(count.annotations, None);
    assert_eq!(count.icons, None);
    let r = client
        .call_tool("count", json!({"text": "a b c"}))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"words": 3})));

    let loose = find(&tools, "loose");
    assert_eq!(loose.output_schema, None, "output = none");
    let r = client.call_tool("loose", json!({})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"words": 1})));
}

#[tokio::test]
async fn prompts_complete_each_argument_with_its_own_function() {
    let client = connect(server()).await;
    let values = complete(&client, prompt("paint"), "colour", "gr", &[]).await;
    assert_eq!(values, ["green", "grey"]);
    let values = complete(&client, prompt("paint"), "shade", "l", &[("colour", "red")]).await;
    assert_eq!(
        values,
        ["light red"],
        "the given arguments reach the completer"
    );
    let values = complete(&client, prompt("paint"), "shade", "", &[]).await;
    assert_eq!(values, ["light any", "dark any"]);
    let values = complete(&client, prompt("paint"), "thing", "", &[]).await;
    assert!(
        values.is_empty(),
        "an argument without a completer: {values:?}"
    );

    let values = complete(&client, prompt("search"), "q", "re", &[]).await;
    assert_eq!(
        values,
        ["red"],
        "a renamed argument is completed by its wire name"
    );

    let values = complete(&client, template("pot://{colour}"), "colour", "b", &[]).await;
    assert_eq!(values, ["blue"]);
}

#[tokio::test]
async fn one_resource_method_registers_templates_and_fixed_resources() {
    let client = connect(server()).await;
    let listed = client.list_resources().await.unwrap();
    let uris: Vec<&str> = listed.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["pot://prices"]);
    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "pot://{colour}");
    let r = client.read_resource("pot://red").await.unwrap();
    assert_eq!(
        serde_json::to_value(&r.contents[0]).unwrap()["text"],
        "a pot of red"
    );
    let r = client.read_resource("pot://prices").await.unwrap();
    assert_eq!(
        serde_json::to_value(&r.contents[0]).unwrap()["text"],
        "cheap"
    );
}

#[tokio::test]
async fn routes_take_the_state_by_value_or_in_an_arc_and_complete_through_it() {
    let by_value = Server::builder("shop", "1.0")
        .routes(shop())
        .build()
        .unwrap();
    let in_arc = Server::builder("shop", "1.0")
        .routes(Arc::new(shop()))
        .build()
        .unwrap();
    for server in [by_value, in_arc] {
        let client = connect(server).await;
        let r = client.call_tool("stock_size", json!({})).await.unwrap();
        assert_eq!(r.content[0].as_text(), Some("3"));
        let tools = client.list_tools().await.unwrap();
        let hints = find(&tools, "stock_size").annotations.clone().unwrap();
        assert_eq!(hints.read_only_hint, Some(true));

        let values = complete(&client, template("shop://{item}"), "item", "b", &[]).await;
        assert_eq!(values, ["brush", "bucket"]);
        let values = complete(&client, prompt("ask"), "item", "r", &[]).await;
        assert_eq!(values, ["roller"]);
        let values = complete(&client, prompt("ask"), "colour", "bl", &[]).await;
        assert_eq!(values, ["blue"], "a free completer inside #[routes]");
    }
}

// ---- () means no arguments -------------------------------------------------------

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn no_argument_server() -> Server {
    Server::builder("none", "1.0")
        .tool(ToolRoute::typed("unit", |cx: Context, (): ()| async move {
            cx.server().info().name.clone()
        }))
        .tool(ToolRoute::typed("empty", |_cx, _: Empty| async { "empty" }))
        .prompt(PromptRoute::typed("hello", |_cx, (): ()| async {
            "Say hello".to_string()
        }))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_unit_tool_takes_no_arguments_like_an_empty_struct() {
    let client = connect(no_argument_server()).await;
    let tools = client.list_tools().await.unwrap();
    let unit = find(&tools, "unit");
    assert_eq!(
        Value::Object(unit.input_schema.clone()),
        json!({"type": "object"})
    );
    assert_eq!(unit.input_schema, find(&tools, "empty").input_schema);

    for args in [json!({}), json!({"ignored": 1})] {
        let r = client.call_tool("unit", args.clone()).await.unwrap();
        assert!(!r.is_error(), "{args}: {r:?}");
        assert_eq!(r.content[0].as_text(), Some("none"));
        let r = client.call_tool("empty", args).await.unwrap();
        assert_eq!(r.content[0].as_text(), Some("empty"));
    }
    // No `arguments` member at all.
    let r = client.call_tool("unit", Value::Null).await.unwrap();
    assert!(!r.is_error(), "{r:?}");
    assert_eq!(r.content[0].as_text(), Some("none"));

    let r = client
        .get_prompt("hello", Vec::<(String, String)>::new())
        .await
        .unwrap();
    assert_eq!(r.messages[0].content.as_text(), Some("Say hello"));
    let prompts = client.list_prompts().await.unwrap();
    assert_eq!(
        prompts[0].arguments, None,
        "a unit prompt lists no arguments"
    );
}
