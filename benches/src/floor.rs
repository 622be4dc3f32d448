//! The answers of the floor servers (`floor-stdio`, `floor-http`): the
//! least an MCP server with one `echo` tool must do per request, with no
//! framework, for both protocol eras.

use serde_json::{Value, json};

/// The result of request `id` calling `method` with `params`, from the
/// server called `name`: `initialize` (no session), `server/discover`
/// (2026-07-28 requests need no more; their `_meta` costs only the
/// parse), `ping`, `tools/list` and `tools/call` of `echo`; any other
/// method gets -32601.
pub fn answer(name: &str, id: Value, method: &str, params: Option<&Value>) -> Value {
    let info = json!({"name": name, "version": env!("CARGO_PKG_VERSION")});
    let result = match method {
        "initialize" => {
            let version = params
                .and_then(|p| p.get("protocolVersion"))
                .and_then(Value::as_str)
                .unwrap_or("2025-11-25");
            json!({
                "protocolVersion": version,
                "capabilities": {"tools": {}},
                "serverInfo": info,
            })
        }
        "server/discover" => json!({
            "resultType": "complete",
            "supportedVersions": ["2026-07-28"],
            "capabilities": {"tools": {}},
            "serverInfo": info,
        }),
        "ping" => json!({}),
        "tools/list" => json!({"tools": [{
            "name": "echo",
            "description": "Returns its text argument unchanged",
            "inputSchema": {
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"],
            },
        }]}),
        "tools/call" => {
            let tool = params.and_then(|p| p.get("name")).and_then(Value::as_str);
            let text = params
                .and_then(|p| p.get("arguments"))
                .and_then(|a| a.get("text"))
                .and_then(Value::as_str);
            match (tool, text) {
                (Some("echo"), Some(text)) => json!({"content": [{"type": "text", "text": text}]}),
                (Some("echo"), None) => {
                    return error(id, -32602, "echo needs a string argument `text`");
                }
                _ => return error(id, -32602, "unknown tool"),
            }
        }
        _ => return error(id, -32601, "method not found"),
    };
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// A JSON-RPC error response.
pub fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_and_refuses() {
        let call = json!({"name": "echo", "arguments": {"text": "hi"}});
        let r = answer("floor", json!(1), "tools/call", Some(&call));
        assert_eq!(r["result"]["content"][0]["text"], "hi");
        let r = answer(
            "floor",
            json!(2),
            "tools/call",
            Some(&json!({"name": "echo"})),
        );
        assert_eq!(r["error"]["code"], -32602);
        assert_eq!(
            answer("floor", json!(3), "nope", None)["error"]["code"],
            -32601
        );
        let r = answer("floor", json!(4), "server/discover", None);
        assert_eq!(r["result"]["serverInfo"]["name"], "floor");
    }
}
