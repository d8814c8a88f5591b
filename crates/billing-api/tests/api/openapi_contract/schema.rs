//! The generator: fields of a request schema, the bodies that probe them,
//! and what the API must answer each.

use regex::Regex;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

/// Values tried against every patterned field: each counts as valid or
/// invalid by whether the field's own pattern (and lengths) accept it.
pub(super) const CANDIDATES: &[&str] = &[
    "",
    " ",
    "a",
    "é",
    "a@b",
    " a@b ",
    "a b@c",
    "a@b@c",
    "@b",
    "a@",
    "owner@acme.test",
    "4242424242424242",
    "4242 4242-4242 4242",
    " - ",
    "12",
    "123",
    "1234",
    "12345",
    "12a",
    "abc",
];

/// A field of a request schema, as the generator needs it.
#[derive(Debug, Clone)]
pub(super) struct Field {
    pub(super) name: String,
    pub(super) required: bool,
    pub(super) nullable: bool,
    pub(super) kind: Kind,
    pub(super) example: Option<Value>,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Str {
        min: Option<usize>,
        max: Option<usize>,
        pattern: Option<String>,
        choices: Option<Vec<String>>,
        date_time: bool,
    },
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Bool,
    Array(Box<Kind>),
    Other,
}

/// What the API must answer a body with.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expect {
    Valid,
    /// A 400 whose `param` is this field.
    Invalid(String),
}

#[derive(Debug, Clone)]
pub(super) struct Case {
    pub(super) label: String,
    pub(super) body: Value,
    pub(super) expect: Expect,
}

/// A condition of the schema's `allOf`: when `field` is one of `values`,
/// `then_field` is required and must match `then_pattern`.
#[derive(Debug, Clone)]
pub(super) struct Conditional {
    pub(super) field: String,
    pub(super) values: Vec<String>,
    pub(super) then_field: String,
    pub(super) then_pattern: Regex,
}

pub(super) struct Doc(pub(super) Value);

impl Doc {
    pub(super) fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => self
                .0
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("no {r}")),
            None => schema,
        }
    }

    pub(super) fn operation(&self, method: &str, path: &str) -> &Value {
        let escaped = path.replace('~', "~0").replace('/', "~1");
        self.0
            .pointer(&format!("/paths/{escaped}/{method}"))
            .unwrap_or_else(|| panic!("the document has no {method} {path}"))
    }

    /// The request body's schema, and whether the body may be `null`.
    pub(super) fn request_schema(&self, method: &str, path: &str) -> (&Value, bool) {
        let schema =
            &self.operation(method, path)["requestBody"]["content"]["application/json"]["schema"];
        let (schema, nullable) = self.strip_null(schema);
        (self.resolve(schema), nullable)
    }

    /// `oneOf: [null, X]` as X, nullable.
    pub(super) fn strip_null<'a>(&'a self, schema: &'a Value) -> (&'a Value, bool) {
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let others: Vec<&Value> = options.iter().filter(|o| o["type"] != "null").collect();
            if others.len() == 1 && others.len() < options.len() {
                return (others[0], true);
            }
        }
        (schema, false)
    }

    pub(super) fn kind(&self, schema: &Value) -> (Kind, bool) {
        let (schema, null_option) = self.strip_null(schema);
        let schema = self.resolve(schema);
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let nullable = null_option || types.contains(&"null");
        let num = |k: &str| schema.get(k).and_then(Value::as_i64);
        let len = |k: &str| schema.get(k).and_then(Value::as_u64).map(|n| n as usize);
        let kind = if types.contains(&"string") {
            Kind::Str {
                min: len("minLength"),
                max: len("maxLength"),
                pattern: schema["pattern"].as_str().map(str::to_string),
                choices: schema["enum"].as_array().map(|values| {
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                }),
                date_time: schema["format"] == "date-time",
            }
        } else if types.contains(&"integer") {
            Kind::Int {
                min: num("minimum"),
                max: num("maximum"),
            }
        } else if types.contains(&"boolean") {
            Kind::Bool
        } else if types.contains(&"array") {
            Kind::Array(Box::new(self.kind(&schema["items"]).0))
        } else {
            Kind::Other
        };
        (kind, nullable)
    }

    pub(super) fn fields(&self, schema: &Value) -> Vec<Field> {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, prop)| {
                        let (kind, nullable) = self.kind(prop);
                        Field {
                            name: name.clone(),
                            required: required.contains(&name.as_str()),
                            nullable,
                            kind,
                            example: prop.get("example").cloned(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn conditionals(&self, schema: &Value) -> Vec<Conditional> {
        schema["allOf"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|rule| {
                let (field, cond) = rule["if"]["properties"].as_object()?.iter().next()?;
                let values = cond["enum"]
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let then_field = rule["then"]["required"][0].as_str()?.to_string();
                let pattern = rule["then"]["properties"][&then_field]["pattern"].as_str()?;
                Some(Conditional {
                    field: field.clone(),
                    values,
                    then_field,
                    then_pattern: Regex::new(pattern).expect("a pattern Rust reads"),
                })
            })
            .collect()
    }
}

pub(super) fn chars(c: &str, n: usize) -> String {
    c.repeat(n)
}

/// Whether `text` is a string the field's schema allows.
pub(super) fn allows(
    min: Option<usize>,
    max: Option<usize>,
    pattern: Option<&Regex>,
    text: &str,
) -> bool {
    let n = text.chars().count();
    min.is_none_or(|m| n >= m)
        && max.is_none_or(|m| n <= m)
        && pattern.is_none_or(|p| p.is_match(text))
}

/// A value the field's schema allows (avoiding choices in `avoid`).
pub(super) fn good_value(field: &Field, avoid: &[String]) -> Value {
    if let Some(example) = &field.example {
        return example.clone();
    }
    match &field.kind {
        Kind::Str {
            choices: Some(choices),
            ..
        } => json!(choices
            .iter()
            .find(|c| !avoid.contains(c))
            .unwrap_or(&choices[0])),
        Kind::Str {
            date_time: true, ..
        } => json!(chrono::Utc::now().to_rfc3339()),
        Kind::Str {
            pattern: Some(p), ..
        } => panic!("`{}` has a pattern ({p}) but no example", field.name),
        Kind::Str { min, max, .. } => {
            json!(chars(
                "a",
                min.unwrap_or(1).max(1).min(max.unwrap_or(usize::MAX))
            ))
        }
        Kind::Int { min, max } => json!(min.unwrap_or(1).min(max.unwrap_or(i64::MAX))),
        Kind::Bool => json!(true),
        Kind::Array(_) => json!([]),
        Kind::Other => panic!("no value for `{}`", field.name),
    }
}

/// Every case of a body schema.
pub(super) fn cases(doc: &Doc, schema: &Value, body_nullable: bool) -> Vec<Case> {
    let fields = doc.fields(schema);
    let conditionals = doc.conditionals(schema);
    let avoid: Vec<String> = conditionals.iter().flat_map(|c| c.values.clone()).collect();
    let mut base = Map::new();
    for f in fields.iter().filter(|f| f.required) {
        base.insert(f.name.clone(), good_value(f, &avoid));
    }
    let with = |name: &str, value: Value| {
        let mut body = base.clone();
        body.insert(name.to_string(), value);
        Value::Object(body)
    };
    let mut out = vec![Case {
        label: "the required fields".into(),
        body: Value::Object(base.clone()),
        expect: Expect::Valid,
    }];
    let mut push = |label: String, body: Value, expect: Expect| {
        out.push(Case {
            label,
            body,
            expect,
        })
    };
    if body_nullable {
        push("a null body".into(), Value::Null, Expect::Valid);
    }
    if schema["additionalProperties"] == false {
        push(
            "an unknown field".into(),
            with("not_a_field", json!(true)),
            Expect::Invalid("not_a_field".into()),
        );
    }
    for f in &fields {
        let name = f.name.as_str();
        let bad = || Expect::Invalid(name.to_string());
        if f.required {
            let mut body = base.clone();
            body.remove(name);
            push(format!("{name} missing"), Value::Object(body), bad());
        }
        if f.nullable {
            push(
                format!("{name} null"),
                with(name, Value::Null),
                Expect::Valid,
            );
        } else {
            push(format!("{name} null"), with(name, Value::Null), bad());
        }
        match &f.kind {
            Kind::Str {
                min,
                max,
                pattern,
                choices,
                date_time,
            } => {
                push(format!("{name} a number"), with(name, json!(12)), bad());
                if let Some(choices) = choices {
                    for c in choices {
                        let cond = conditionals
                            .iter()
                            .find(|k| k.field == name && k.values.contains(c));
                        match cond {
                            None => {
                                push(format!("{name} = {c}"), with(name, json!(c)), Expect::Valid)
                            }
                            Some(k) => {
                                let t = k.then_field.as_str();
                                push(
                                    format!("{name} = {c} without {t}"),
                                    with(name, json!(c)),
                                    Expect::Invalid(t.into()),
                                );
                                for (text, ok) in [(" \t ", false), ("why", true)] {
                                    let mut body = base.clone();
                                    body.insert(name.into(), json!(c));
                                    body.insert(t.into(), json!(text));
                                    assert_eq!(k.then_pattern.is_match(text), ok);
                                    push(
                                        format!("{name} = {c} with {t} {text:?}"),
                                        Value::Object(body),
                                        if ok {
                                            Expect::Valid
                                        } else {
                                            Expect::Invalid(t.into())
                                        },
                                    );
                                }
                            }
                        }
                    }
                    push(
                        format!("{name} not a choice"),
                        with(name, json!("not-a-choice")),
                        bad(),
                    );
                } else if *date_time {
                    push(
                        format!("{name} not a time"),
                        with(name, json!("yesterday")),
                        bad(),
                    );
                } else if let Some(p) = pattern {
                    let re = Regex::new(p).expect("a pattern Rust reads");
                    let mut tried: Vec<String> = CANDIDATES.iter().map(|c| c.to_string()).collect();
                    if let (Some(max), Some(ex)) = (max, f.example.as_ref().and_then(Value::as_str))
                    {
                        for n in [*max, max + 1] {
                            tried.push(chars("a", n.saturating_sub(ex.chars().count())) + ex);
                        }
                    }
                    for text in tried {
                        let ok = allows(*min, *max, Some(&re), &text);
                        let shown: String = text.chars().take(24).collect();
                        push(
                            format!("{name} {shown:?} ({} chars)", text.chars().count()),
                            with(name, json!(text)),
                            if ok { Expect::Valid } else { bad() },
                        );
                    }
                } else {
                    // Counted in characters, not bytes: `é` is two bytes.
                    let lo = min.unwrap_or(0);
                    push(
                        format!("{name} of {lo} chars"),
                        with(name, json!(chars("é", lo))),
                        Expect::Valid,
                    );
                    if lo > 0 {
                        push(
                            format!("{name} of {} chars", lo - 1),
                            with(name, json!(chars("é", lo - 1))),
                            bad(),
                        );
                    }
                    if let Some(hi) = max {
                        push(
                            format!("{name} of {hi} chars"),
                            with(name, json!(chars("é", *hi))),
                            Expect::Valid,
                        );
                        push(
                            format!("{name} of {} chars", hi + 1),
                            with(name, json!(chars("é", hi + 1))),
                            bad(),
                        );
                    }
                }
            }
            Kind::Int { min, max } => {
                push(format!("{name} a string"), with(name, json!("12")), bad());
                push(format!("{name} a fraction"), with(name, json!(1.5)), bad());
                if let Some(lo) = min {
                    push(
                        format!("{name} = {lo}"),
                        with(name, json!(lo)),
                        Expect::Valid,
                    );
                    push(
                        format!("{name} = {}", lo - 1),
                        with(name, json!(lo - 1)),
                        bad(),
                    );
                }
                if let Some(hi) = max {
                    push(
                        format!("{name} = {hi}"),
                        with(name, json!(hi)),
                        Expect::Valid,
                    );
                    push(
                        format!("{name} = {}", hi + 1),
                        with(name, json!(hi + 1)),
                        bad(),
                    );
                }
            }
            Kind::Bool => {
                push(
                    format!("{name} false"),
                    with(name, json!(false)),
                    Expect::Valid,
                );
                push(format!("{name} a string"), with(name, json!("yes")), bad());
            }
            Kind::Array(item) => {
                push(
                    format!("{name} empty"),
                    with(name, json!([])),
                    Expect::Valid,
                );
                push(format!("{name} not a list"), with(name, json!("x")), bad());
                match item.as_ref() {
                    Kind::Str {
                        choices: Some(choices),
                        ..
                    } => {
                        for c in choices {
                            push(
                                format!("{name} [{c}]"),
                                with(name, json!([c])),
                                Expect::Valid,
                            );
                        }
                        push(
                            format!("{name} [not a choice]"),
                            with(name, json!(["not-a-choice"])),
                            bad(),
                        );
                    }
                    Kind::Str { pattern, .. } => {
                        // An item held to a pattern is tried with texts
                        // that do and do not match it.
                        let re = pattern
                            .as_deref()
                            .map(|p| Regex::new(p).expect("a pattern Rust reads"));
                        for text in ["x", "a@b", " "] {
                            let ok = re.as_ref().is_none_or(|r| r.is_match(text));
                            push(
                                format!("{name} [{text:?}]"),
                                with(name, json!([text])),
                                if ok { Expect::Valid } else { bad() },
                            );
                        }
                        push(format!("{name} [12]"), with(name, json!([12])), bad());
                    }
                    _ => {}
                }
            }
            Kind::Other => {}
        }
    }
    // Cases the API refuses change nothing; accepted ones may (pausing,
    // cancelling): refusals first.
    out.sort_by_key(|c| c.expect == Expect::Valid);
    out
}

/// Whether the answer agrees with what the schema expects.
pub(super) fn verdict(
    case: &Case,
    status: StatusCode,
    body: &Value,
    allowed: &[&str],
) -> Result<(), String> {
    let code = body["error"]["code"].as_str().unwrap_or("");
    let param = body["error"]["param"].as_str().unwrap_or("");
    match &case.expect {
        _ if status.is_server_error() => Err(format!("{status}: {body}")),
        Expect::Valid if status == StatusCode::BAD_REQUEST && !allowed.contains(&code) => {
            Err(format!(
                "allowed by the schema, refused: {code} ({param}): {}",
                body["error"]["message"]
            ))
        }
        Expect::Valid => Ok(()),
        Expect::Invalid(field) => {
            let names_it = param == field
                || param.starts_with(&format!("{field}["))
                || param.starts_with(&format!("{field}."));
            if status == StatusCode::BAD_REQUEST && names_it {
                Ok(())
            } else {
                Err(format!(
                    "refused by the schema, answered {status} {code} ({param})"
                ))
            }
        }
    }
}
