//! Round-trips every example message of the newest revision through the Rust types.
//!
//! Each folder of `shared/spec/2026-07-28/examples/` is named after a schema
//! type; [`check`] maps it to the Rust type (or, for JSON-RPC envelopes, the
//! envelope and the typed params, result or error data inside). A folder with
//! no mapping fails the test, so new examples cannot be skipped silently.

use std::any::type_name;
use std::fs;
use std::path::{Path, PathBuf};

use mcpwire_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec")
}

/// Where two JSON values differ, as JSON-pointer-like paths.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => diff(&format!("{path}/{k}"), v, w, out),
                    None => out.push(format!("{path}/{k}: lost")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}/{k}: added"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}/{i}"), v, w, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} became {b}")),
        _ => {}
    }
}

/// Reads `v` as `T`, writes it back, and requires the same JSON.
fn rt<T: DeserializeOwned + Serialize>(v: &Value) -> Result<T, String> {
    let t: T = serde_json::from_value(v.clone())
        .map_err(|e| format!("cannot read as {}: {e}", type_name::<T>()))?;
    let back =
        serde_json::to_value(&t).map_err(|e| format!("cannot write {}: {e}", type_name::<T>()))?;
    if back != *v {
        let mut d = Vec::new();
        diff("", v, &back, &mut d);
        return Err(format!(
            "{} changed the JSON: {}",
            type_name::<T>(),
            d.join("; ")
        ));
    }
    Ok(t)
}

/// Parses the envelope with `Incoming::parse` and requires it to write back unchanged.
fn envelope(v: &Value) -> Result<Message, String> {
    let bytes = serde_json::to_vec(v).unwrap();
    let msg = match Incoming::parse(&bytes) {
        Incoming::Message(m) => m,
        other => return Err(format!("not a single message: {other:?}")),
    };
    let back = serde_json::to_value(&msg).unwrap();
    if back != *v {
        let mut d = Vec::new();
        diff("", v, &back, &mut d);
        return Err(format!("Message changed the JSON: {}", d.join("; ")));
    }
    Ok(msg)
}

fn request<P: DeserializeOwned + Serialize>(v: &Value, method: &str) -> Result<(), String> {
    let Message::Request(r) = envelope(v)? else {
        return Err("not a request".into());
    };
    if r.method != method {
        return Err(format!("method {} is not {method}", r.method));
    }
    rt::<P>(r.params.as_ref().ok_or("no params")?).map(drop)
}

fn notification<P: DeserializeOwned + Serialize>(v: &Value, method: &str) -> Result<(), String> {
    let Message::Notification(n) = envelope(v)? else {
        return Err("not a notification".into());
    };
    if n.method != method {
        return Err(format!("method {} is not {method}", n.method));
    }
    rt::<P>(n.params.as_ref().ok_or("no params")?).map(drop)
}

fn response<R: DeserializeOwned + Serialize>(v: &Value) -> Result<R, String> {
    let Message::Response(Response {
        outcome: Ok(result),
        ..
    }) = envelope(v)?
    else {
        return Err("not a result response".into());
    };
    rt::<R>(&result)
}

/// A bare error object with `code`; its data, when present, read as `D`.
fn error_object<D: DeserializeOwned + Serialize>(v: &Value, code: ErrorCode) -> Result<(), String> {
    let e = rt::<ErrorObject>(v)?;
    if e.code != code {
        return Err(format!("code {} is not {}", e.code.0, code.0));
    }
    if let Some(data) = &e.data {
        rt::<D>(data)?;
    }
    Ok(())
}

fn error_response<D: DeserializeOwned + Serialize>(
    v: &Value,
    code: ErrorCode,
) -> Result<(), String> {
    let Message::Response(Response {
        outcome: Err(e), ..
    }) = envelope(v)?
    else {
        return Err("not an error response".into());
    };
    error_object::<D>(&serde_json::to_value(&e).unwrap(), code)
}

/// A request as embedded in `inputRequests` (2026-07-28): `method` and `params`, no envelope.
fn input_request(v: &Value, method: &str) -> Result<InputRequest, String> {
    let r = rt::<InputRequest>(v)?;
    if r.method() != method {
        return Err(format!("method {} is not {method}", r.method()));
    }
    Ok(r)
}

fn expect(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("expected {what}"))
    }
}

/// Checks one example of the folder `folder`; `None` when the folder has no mapping.
fn check(folder: &str, v: &Value) -> Option<Result<(), String>> {
    use mcpwire_types::methods as m;
    let r = match folder {
        // Content.
        "TextContent" => rt::<TextContent>(v)
            .and_then(|_| rt::<ContentBlock>(v))
            .and_then(|b| expect(matches!(b, ContentBlock::Text(_)), "text block"))
            .and_then(|_| rt::<SamplingMessageContentBlock>(v).map(drop)),
        "ImageContent" => rt::<ImageContent>(v)
            .and_then(|_| rt::<ContentBlock>(v))
            .and_then(|b| expect(matches!(b, ContentBlock::Image(_)), "image block")),
        "AudioContent" => rt::<AudioContent>(v)
            .and_then(|_| rt::<ContentBlock>(v))
            .and_then(|b| expect(matches!(b, ContentBlock::Audio(_)), "audio block")),
        "ResourceLink" => rt::<ResourceLink>(v)
            .and_then(|_| rt::<ContentBlock>(v))
            .and_then(|b| expect(matches!(b, ContentBlock::ResourceLink(_)), "resource link")),
        "EmbeddedResource" => rt::<EmbeddedResource>(v)
            .and_then(|_| rt::<ContentBlock>(v))
            .and_then(|b| expect(matches!(b, ContentBlock::Resource(_)), "embedded resource")),
        "ToolUseContent" => rt::<ToolUseContent>(v)
            .and_then(|_| rt::<SamplingMessageContentBlock>(v))
            .and_then(|b| {
                expect(
                    matches!(b, SamplingMessageContentBlock::ToolUse(_)),
                    "tool use",
                )
            }),
        "ToolResultContent" => rt::<ToolResultContent>(v)
            .and_then(|_| rt::<SamplingMessageContentBlock>(v))
            .and_then(|b| {
                expect(
                    matches!(b, SamplingMessageContentBlock::ToolResult(_)),
                    "tool result",
                )
            }),
        "TextResourceContents" => rt::<TextResourceContents>(v)
            .and_then(|_| rt::<ResourceContents>(v))
            .and_then(|c| expect(matches!(c, ResourceContents::Text(_)), "text contents")),
        "BlobResourceContents" => rt::<BlobResourceContents>(v)
            .and_then(|_| rt::<ResourceContents>(v))
            .and_then(|c| expect(matches!(c, ResourceContents::Blob(_)), "blob contents")),

        // Capabilities.
        "ClientCapabilities" => rt::<ClientCapabilities>(v).map(drop),
        "ServerCapabilities" => rt::<ServerCapabilities>(v).map(drop),

        // Discovery.
        "DiscoverRequest" => request::<DiscoverRequestParams>(v, m::SERVER_DISCOVER),
        "DiscoverResult" => rt::<DiscoverResult>(v).map(drop),
        "DiscoverResultResponse" => response::<DiscoverResult>(v).map(drop),

        // Tools.
        "Tool" => rt::<Tool>(v).map(drop),
        "ListToolsRequest" => request::<PaginatedRequestParams>(v, m::TOOLS_LIST),
        "ListToolsResult" => rt::<ListToolsResult>(v).map(drop),
        "ListToolsResultResponse" => response::<ListToolsResult>(v).map(drop),
        "CallToolRequest" => request::<CallToolRequestParams>(v, m::TOOLS_CALL),
        "CallToolRequestParams" => rt::<CallToolRequestParams>(v).map(drop),
        "CallToolResult" => rt::<CallToolResult>(v)
            .and_then(|_| rt::<MaybeInputRequired<CallToolResult>>(v))
            .and_then(|r| expect(matches!(r, MaybeInputRequired::Complete(_)), "complete")),
        "CallToolResultResponse" => response::<MaybeInputRequired<CallToolResult>>(v).map(drop),
        "ToolListChangedNotification" => {
            notification::<NotificationParams>(v, m::NOTIFICATIONS_TOOLS_LIST_CHANGED)
        }

        // Prompts.
        "ListPromptsRequest" => request::<PaginatedRequestParams>(v, m::PROMPTS_LIST),
        "ListPromptsResult" => rt::<ListPromptsResult>(v).map(drop),
        "ListPromptsResultResponse" => response::<ListPromptsResult>(v).map(drop),
        "GetPromptRequest" => request::<GetPromptRequestParams>(v, m::PROMPTS_GET),
        "GetPromptRequestParams" => rt::<GetPromptRequestParams>(v).map(drop),
        "GetPromptResult" => rt::<GetPromptResult>(v).map(drop),
        "GetPromptResultResponse" => response::<MaybeInputRequired<GetPromptResult>>(v).map(drop),
        "PromptListChangedNotification" => {
            notification::<NotificationParams>(v, m::NOTIFICATIONS_PROMPTS_LIST_CHANGED)
        }

        // Resources.
        "Resource" => rt::<Resource>(v).map(drop),
        "ListResourcesRequest" => request::<PaginatedRequestParams>(v, m::RESOURCES_LIST),
        "ListResourcesResult" => rt::<ListResourcesResult>(v).map(drop),
        "ListResourcesResultResponse" => response::<ListResourcesResult>(v).map(drop),
        "ListResourceTemplatesRequest" => {
            request::<PaginatedRequestParams>(v, m::RESOURCES_TEMPLATES_LIST)
        }
        "ListResourceTemplatesResult" => rt::<ListResourceTemplatesResult>(v).map(drop),
        "ListResourceTemplatesResultResponse" => {
            response::<ListResourceTemplatesResult>(v).map(drop)
        }
        "ReadResourceRequest" => request::<ReadResourceRequestParams>(v, m::RESOURCES_READ),
        "ReadResourceResult" => rt::<ReadResourceResult>(v).map(drop),
        "ReadResourceResultResponse" => {
            response::<MaybeInputRequired<ReadResourceResult>>(v).map(drop)
        }
        "ResourceListChangedNotification" => {
            notification::<NotificationParams>(v, m::NOTIFICATIONS_RESOURCES_LIST_CHANGED)
        }
        "ResourceUpdatedNotification" => {
            notification::<ResourceUpdatedNotificationParams>(v, m::NOTIFICATIONS_RESOURCES_UPDATED)
        }
        "ResourceUpdatedNotificationParams" => rt::<ResourceUpdatedNotificationParams>(v).map(drop),

        // Subscriptions.
        "SubscriptionsListenRequest" => {
            request::<SubscriptionsListenRequestParams>(v, m::SUBSCRIPTIONS_LISTEN)
        }
        "SubscriptionsListenResult" => rt::<SubscriptionsListenResult>(v).map(drop),
        "SubscriptionsListenResultResponse" => response::<SubscriptionsListenResult>(v).map(drop),
        "SubscriptionsAcknowledgedNotification" => notification::<
            SubscriptionsAcknowledgedNotificationParams,
        >(
            v, m::NOTIFICATIONS_SUBSCRIPTIONS_ACKNOWLEDGED
        ),

        // Completion.
        "CompleteRequest" => request::<CompleteRequestParams>(v, m::COMPLETION_COMPLETE),
        "CompleteRequestParams" => rt::<CompleteRequestParams>(v).map(drop),
        "CompleteResult" => rt::<CompleteResult>(v).map(drop),
        "CompleteResultResponse" => response::<CompleteResult>(v).map(drop),

        // Pagination.
        "PaginatedRequestParams" => rt::<PaginatedRequestParams>(v).map(drop),

        // Logging, progress, cancellation.
        "LoggingMessageNotification" => {
            notification::<LoggingMessageNotificationParams>(v, m::NOTIFICATIONS_MESSAGE)
        }
        "LoggingMessageNotificationParams" => rt::<LoggingMessageNotificationParams>(v).map(drop),
        "ProgressNotification" => {
            notification::<ProgressNotificationParams>(v, m::NOTIFICATIONS_PROGRESS)
        }
        "ProgressNotificationParams" => rt::<ProgressNotificationParams>(v).map(drop),
        "CancelledNotification" => {
            notification::<CancelledNotificationParams>(v, m::NOTIFICATIONS_CANCELLED)
        }
        "CancelledNotificationParams" => rt::<CancelledNotificationParams>(v).map(drop),

        // Sampling.
        "CreateMessageRequest" => input_request(v, m::SAMPLING_CREATE_MESSAGE)
            .and_then(|r| expect(matches!(r, InputRequest::CreateMessage(_)), "typed params")),
        "CreateMessageRequestParams" => rt::<CreateMessageRequestParams>(v).map(drop),
        "CreateMessageResult" => rt::<CreateMessageResult>(v).map(drop),
        "SamplingMessage" => rt::<SamplingMessage>(v).map(drop),
        "ModelPreferences" => rt::<ModelPreferences>(v).map(drop),

        // Elicitation.
        "ElicitRequest" => input_request(v, m::ELICITATION_CREATE)
            .and_then(|r| expect(matches!(r, InputRequest::Elicit(_)), "typed params")),
        "ElicitRequestFormParams" => rt::<ElicitRequestFormParams>(v)
            .and_then(|_| rt::<ElicitRequestParams>(v))
            .and_then(|p| expect(matches!(p, ElicitRequestParams::Form(_)), "form params")),
        "ElicitRequestURLParams" => rt::<ElicitRequestURLParams>(v)
            .and_then(|_| rt::<ElicitRequestParams>(v))
            .and_then(|p| expect(matches!(p, ElicitRequestParams::Url(_)), "URL params")),
        "ElicitResult" => rt::<ElicitResult>(v).map(drop),
        "StringSchema" => rt::<StringSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| expect(matches!(p, PrimitiveSchemaDefinition::String(_)), "string")),
        "NumberSchema" => rt::<NumberSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| expect(matches!(p, PrimitiveSchemaDefinition::Number(_)), "number")),
        "BooleanSchema" => rt::<BooleanSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| {
                expect(
                    matches!(p, PrimitiveSchemaDefinition::Boolean(_)),
                    "boolean",
                )
            }),
        "UntitledSingleSelectEnumSchema" => rt::<UntitledSingleSelectEnumSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| {
                expect(
                    matches!(p, PrimitiveSchemaDefinition::UntitledSingleSelectEnum(_)),
                    "untitled single",
                )
            }),
        "TitledSingleSelectEnumSchema" => rt::<TitledSingleSelectEnumSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| {
                expect(
                    matches!(p, PrimitiveSchemaDefinition::TitledSingleSelectEnum(_)),
                    "titled single",
                )
            }),
        "UntitledMultiSelectEnumSchema" => rt::<UntitledMultiSelectEnumSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| {
                expect(
                    matches!(p, PrimitiveSchemaDefinition::UntitledMultiSelectEnum(_)),
                    "untitled multi",
                )
            }),
        "TitledMultiSelectEnumSchema" => rt::<TitledMultiSelectEnumSchema>(v)
            .and_then(|_| rt::<PrimitiveSchemaDefinition>(v))
            .and_then(|p| {
                expect(
                    matches!(p, PrimitiveSchemaDefinition::TitledMultiSelectEnum(_)),
                    "titled multi",
                )
            }),

        // Roots.
        "ListRootsRequest" => list_roots_request(v),
        "ListRootsResult" => rt::<ListRootsResult>(v).map(drop),
        "Root" => rt::<Root>(v).map(drop),

        // Multi round-trip requests.
        "InputRequests" => rt::<InputRequests>(v).map(drop),
        "InputResponses" => rt::<InputResponses>(v).map(drop),
        "InputRequiredResult" => rt::<InputRequiredResult>(v)
            .and_then(|_| rt::<MaybeInputRequired<CallToolResult>>(v))
            .and_then(|r| {
                expect(
                    matches!(r, MaybeInputRequired::InputRequired(_)),
                    "input_required",
                )
            }),

        // Errors.
        "ParseError" => error_object::<Value>(v, ErrorCode::PARSE_ERROR),
        "InternalError" => error_object::<Value>(v, ErrorCode::INTERNAL_ERROR),
        "InvalidParamsError" => error_object::<Value>(v, ErrorCode::INVALID_PARAMS),
        "MethodNotFoundError" => error_object::<Value>(v, ErrorCode::METHOD_NOT_FOUND),
        "HeaderMismatchError" => error_response::<Value>(v, ErrorCode::HEADER_MISMATCH),
        "MissingRequiredClientCapabilityError" => {
            error_response::<MissingRequiredClientCapabilityData>(
                v,
                ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
            )
        }
        "UnsupportedProtocolVersionError" => error_response::<UnsupportedProtocolVersionData>(
            v,
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
        ),

        _ => return None,
    };
    Some(r)
}

/// `ListRootsRequest` of 2026-07-28 is `{method, params?}` (an input request),
/// but its example also carries an `id` (a leftover of the JSON-RPC request of
/// earlier revisions) and no `jsonrpc`, so it is neither an input request nor a
/// JSON-RPC message. The `id` is checked and set aside; the rest must round-trip.
fn list_roots_request(v: &Value) -> Result<(), String> {
    let mut rest = v.clone();
    let obj = rest.as_object_mut().ok_or("not an object")?;
    if let Some(id) = obj.remove("id") {
        RequestId::from_value(&id).ok_or("id is not a request id")?;
    }
    let r = input_request(&rest, mcpwire_types::methods::ROOTS_LIST)?;
    expect(matches!(r, InputRequest::ListRoots(_)), "roots/list")
}

#[test]
fn every_example_round_trips() {
    let root = spec_dir().join("2026-07-28/examples");
    let mut folders: Vec<_> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(
        folders.len() >= 88,
        "only {} example folders",
        folders.len()
    );

    let mut failures = Vec::new();
    let mut checked = 0;
    let mut total = 0;
    for folder in &folders {
        let name = folder.file_name().unwrap().to_str().unwrap();
        let mut files: Vec<_> = fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            failures.push(format!("{name}: no examples"));
        }
        for file in files {
            total += 1;
            let text = fs::read_to_string(&file).unwrap();
            let v: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let label = format!("{name}/{}", file.file_name().unwrap().to_str().unwrap());
            match check(name, &v) {
                None => {
                    failures.push(format!("{name}: no Rust type is mapped to this folder"));
                    break;
                }
                Some(Err(e)) => failures.push(format!("{label}: {e}")),
                Some(Ok(())) => checked += 1,
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, total, "every example file is checked");
    assert!(total >= 129, "only {total} example files found");
}

#[test]
fn unmapped_folders_and_changed_json_fail() {
    assert!(check("NoSuchType", &Value::Null).is_none());
    // A member the type does not know is reported as lost.
    let v = serde_json::json!({"type": "text", "text": "a", "extra": 1});
    let e = rt::<TextContent>(&v).unwrap_err();
    assert!(e.contains("/extra: lost"), "{e}");
    // A float written as 50.0 on the wire comes back as 50.0.
    let p = serde_json::json!({"progressToken": 1, "progress": 0.5});
    rt::<ProgressNotificationParams>(&p).unwrap();
}
