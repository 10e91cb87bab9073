//! JSON for tools and tests. The only place that knows serde: views are built here from the
//! derivation, never by making core types serializable.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::math::text;
use crate::eval::batch::Batched;
use crate::eval::exact::Value;
use crate::explain::GradientDerivation;
use crate::ir::NodeId;
use crate::tensor::Tensor;

#[derive(Serialize)]
struct FormulaLine {
    lhs: String,
    rhs: String,
}

#[derive(Serialize)]
struct DeriveJson {
    loss_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    loss: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gradients: Option<Map<String, Json>>,
    formulas: Map<String, Json>,
    lines: Vec<FormulaLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exact: Option<ExactJson>,
}

#[derive(Serialize)]
struct ExactJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    loss: Option<Json>,
    gradients: Map<String, Json>,
}

pub fn derive(
    derivation: &GradientDerivation,
    values: Option<(&[Option<Batched<Value>>], NodeId)>,
) -> String {
    let mut formulas = Map::new();
    for (name, line) in &derivation.gradients {
        formulas.insert(
            name.clone(),
            Json::String(text::render(&derivation.lines[*line].rhs)),
        );
    }
    let lines = derivation
        .lines
        .iter()
        .map(|l| FormulaLine {
            lhs: text::render(&l.lhs),
            rhs: text::render(&l.rhs),
        })
        .collect();
    // A gradient and the batch loss are shared by every example.
    let value_of =
        |node: NodeId| values.and_then(|(v, _)| v.get(node.index())?.as_ref()?.shared().cloned());
    let loss_value = values.and_then(|(_, loss)| value_of(loss));
    let mut gradients = Map::new();
    let mut exact_gradients = Map::new();
    for (name, line) in &derivation.gradients {
        if let Some(value) = value_of(derivation.lines[*line].node) {
            gradients.insert(name.clone(), numbers(&value.to_f64()));
            if let Value::Exact(t) = &value {
                exact_gradients.insert(name.clone(), exact_strings(t));
            }
        }
    }
    let exact_loss = match &loss_value {
        Some(Value::Exact(t)) => Some(exact_strings(t)),
        _ => None,
    };
    let has_values = loss_value.is_some();
    let page = DeriveJson {
        loss_name: derivation.loss.clone(),
        loss: loss_value.as_ref().map(|v| numbers(&v.to_f64())),
        gradients: has_values.then_some(gradients),
        formulas,
        lines,
        exact: (exact_loss.is_some() || !exact_gradients.is_empty()).then_some(ExactJson {
            loss: exact_loss,
            gradients: exact_gradients,
        }),
    };
    let mut out = serde_json::to_string_pretty(&page).unwrap_or_default();
    out.push('\n');
    out
}

/// A scalar as a number, a vector as an array, a matrix as an array of rows.
pub fn numbers(value: &Tensor<f64>) -> Json {
    nested(value, |x| {
        serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number)
    })
}

pub fn exact_strings(value: &Tensor<num_rational::BigRational>) -> Json {
    nested(value, |x| Json::String(x.to_string()))
}

fn nested<T>(value: &Tensor<T>, element: impl Fn(&T) -> Json) -> Json {
    match value.shape() {
        crate::shape::Shape::Scalar => value.data().first().map_or(Json::Null, &element),
        crate::shape::Shape::Vector(_) => Json::Array(value.data().iter().map(&element).collect()),
        crate::shape::Shape::Matrix(..) => Json::Array(
            value
                .rows()
                .map(|row| Json::Array(row.iter().map(&element).collect()))
                .collect(),
        ),
        crate::shape::Shape::Tensor3(..) | crate::shape::Shape::Tensor4(..) => {
            value.nest(&element, Json::Array).unwrap_or(Json::Null)
        }
    }
}

#[derive(Serialize)]
struct ScalarJson {
    loss_name: String,
    lines: Vec<ScalarLineJson>,
}

#[derive(Serialize)]
struct ScalarLineJson {
    lhs: String,
    chain: String,
    product: String,
}

pub fn derive_scalar(derivation: &crate::explain::scalar::ScalarDerivation) -> String {
    let lines = derivation
        .lines
        .iter()
        .map(|line| {
            let (chain, product) = line.chain_and_product();
            ScalarLineJson {
                lhs: text::render(&line.lhs),
                chain: text::render(&chain),
                product: text::render(&product),
            }
        })
        .collect();
    let page = ScalarJson {
        loss_name: derivation.loss.clone(),
        lines,
    };
    let mut out = serde_json::to_string_pretty(&page).unwrap_or_default();
    out.push('\n');
    out
}

/// A worked line: its stages with the relation before each and why it follows, and the rule
/// that produced the line.
#[derive(Serialize)]
struct StepJson {
    lhs: String,
    rule: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<String>,
    stages: Vec<StageJson>,
    /// The value laid out as maps (a feature map's channels, a kernel's filters): its shape
    /// and each map's rows, as the last stage writes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    grid: Option<GridJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
struct GridJson {
    shape: Vec<usize>,
    maps: Vec<MapJson>,
}

/// One map of a grid: which filter and channel it is (counted from 1), and its rows.
#[derive(Serialize)]
struct MapJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<usize>,
    rows: Vec<Vec<String>>,
}

fn grid_json(formula: Option<&crate::notation::Formula>) -> Option<GridJson> {
    let Some(crate::notation::Formula::Grid(grid)) = formula else {
        return None;
    };
    Some(GridJson {
        shape: grid.dims.clone(),
        maps: grid
            .maps
            .iter()
            .map(|map| MapJson {
                filter: map.filter,
                channel: map.channel,
                rows: map
                    .rows
                    .iter()
                    .map(|row| row.iter().map(text::render).collect())
                    .collect(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct StageJson {
    relation: &'static str,
    formula: String,
    because: String,
}

#[derive(Serialize)]
struct LinesJson {
    given: Vec<StepJson>,
    forward: Vec<StepJson>,
    loss: StepJson,
    backward: Vec<StepJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    update: Vec<StepJson>,
    /// The local derivative rules the lines use, numbered from 1 in this order.
    rules: Vec<String>,
}

fn snake_case(debug: String) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn rule_text(rule: &crate::autodiff::Rule) -> String {
    use crate::autodiff::Rule;
    match rule {
        Rule::Unary(f) => f.name().replace('-', "negation"),
        Rule::Binary(b) => match b {
            crate::ir::Binary::Add => "sum".to_string(),
            crate::ir::Binary::Sub => "difference".to_string(),
            crate::ir::Binary::Mul => "product".to_string(),
            crate::ir::Binary::Div => "quotient".to_string(),
            crate::ir::Binary::MatMul => "matrix_product".to_string(),
            crate::ir::Binary::Outer => "outer_product".to_string(),
            crate::ir::Binary::Pick => "pick".to_string(),
            crate::ir::Binary::Concat => "concat".to_string(),
            crate::ir::Binary::SigmoidCrossEntropy => "sigmoid_cross_entropy".to_string(),
        },
        Rule::Power => "power".to_string(),
        Rule::Broadcast => "broadcast".to_string(),
        Rule::Tensor(kind) => {
            use crate::ir::{Along, Pool, TensorKind};
            match kind {
                TensorKind::Conv => "convolution",
                TensorKind::Pool(Pool::Max) => "max_pool",
                TensorKind::Pool(Pool::Mean) => "avg_pool",
                TensorKind::Pool(Pool::ArgMax) => "argmax_mask",
                TensorKind::Upsample => "upsample",
                TensorKind::Along(Along::Sum) => "sum_along_axis",
                TensorKind::Along(Along::Softmax) => "softmax_along_axis",
                TensorKind::Along(Along::LogSoftmax) => "log_softmax_along_axis",
                TensorKind::Expand => "repeat",
                TensorKind::Reshape => "reshape",
            }
            .to_string()
        }
        Rule::SoftmaxCrossEntropy => "softmax_cross_entropy".to_string(),
        Rule::SoftmaxClassCrossEntropy => "softmax_class_cross_entropy".to_string(),
    }
}

fn step_json(step: &crate::explain::explanation::Step) -> StepJson {
    use crate::explain::chain::Relation;
    use crate::explain::explanation::{LineRule, Note};
    let (rule, rules) = match &step.rule {
        LineRule::Local { rules } => (
            "local_derivative".to_string(),
            rules.iter().map(rule_text).collect(),
        ),
        LineRule::Update(part) => (
            format!("update_{}", snake_case(format!("{part:?}"))),
            Vec::new(),
        ),
        other => (snake_case(format!("{other:?}")), Vec::new()),
    };
    StepJson {
        lhs: text::render(step.chain.lhs()),
        rule,
        rules,
        stages: step
            .chain
            .relations()
            .map(|(relation, formula, because)| StageJson {
                relation: match relation {
                    Relation::Equals => "=",
                    Relation::Approx => "≈",
                },
                formula: text::render(formula),
                because: snake_case(format!("{because:?}")),
            })
            .collect(),
        grid: grid_json(step.chain.last()),
        notes: step
            .notes
            .iter()
            .map(|note| match note {
                Note::NoExactValue(f) => format!("no fraction equals {}", text::render(f)),
                Note::Kink { argument, .. } => format!("{} = 0 is a kink", text::render(argument)),
                Note::CompactForm => "batch normalization's compact form".to_string(),
                Note::Tie {
                    elements, first, ..
                } => format!(
                    "{} tie for the maximum of their window; the first, {}, is taken",
                    elements
                        .iter()
                        .map(text::render)
                        .collect::<Vec<_>>()
                        .join(", "),
                    text::render(first)
                ),
                Note::Picked {
                    index,
                    value,
                    from,
                    row,
                } => format!(
                    "{} = {value} picks {} {} of {}",
                    text::render(index),
                    if *row { "row" } else { "element" },
                    value + 1,
                    text::render(from)
                ),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct ExplainJson {
    loss_name: String,
    loss: Json,
    gradients: Map<String, Json>,
    updated: Map<String, Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<Json>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_steps: Option<Map<String, Json>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    gradcheck: Vec<CheckJson>,
    exact: ExactExplainJson,
    /// For a step on a batch, each example's loss (the loss above is their mean).
    #[serde(skip_serializing_if = "Option::is_none")]
    examples: Option<Vec<ExampleJson>>,
    lines: LinesJson,
}

#[derive(Serialize)]
struct ExampleJson {
    loss: Json,
    /// The exact loss, where it is rational.
    #[serde(skip_serializing_if = "Option::is_none")]
    exact_loss: Option<Json>,
}

#[derive(Serialize)]
struct ExactExplainJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    loss: Option<Json>,
    gradients: Map<String, Json>,
    updated: Map<String, Json>,
}

#[derive(Serialize)]
struct CheckJson {
    gradient: String,
    derived: f64,
    finite_difference: f64,
    relative_error: f64,
}

pub fn explain(e: &crate::explain::explanation::Explanation) -> String {
    let both = |pairs: &[(String, Value)]| {
        let mut floats = Map::new();
        let mut exact = Map::new();
        for (name, value) in pairs {
            floats.insert(name.clone(), numbers(&value.to_f64()));
            if let Value::Exact(t) = value {
                exact.insert(name.clone(), exact_strings(t));
            }
        }
        (floats, exact)
    };
    let (gradients, exact_gradients) = both(&e.gradients);
    let (updated, exact_updated) = both(&e.updated);
    let examples = e.batch.as_ref().map(|batch| {
        batch
            .losses
            .iter()
            .map(|loss| ExampleJson {
                loss: numbers(&loss.to_f64()),
                exact_loss: match loss {
                    Value::Exact(t) => Some(exact_strings(t)),
                    Value::Approx(_) => None,
                },
            })
            .collect()
    });
    let page = ExplainJson {
        examples,
        loss_name: text::render(&e.loss),
        loss: numbers(&e.loss_value.to_f64()),
        gradients,
        updated,
        history: e.history.as_ref().map(|h| {
            h.losses
                .iter()
                .map(|x| serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number))
                .collect()
        }),
        after_steps: e.history.as_ref().map(|h| both(&h.final_values).0),
        gradcheck: e
            .checks
            .iter()
            .map(|c| CheckJson {
                gradient: text::render(&c.element),
                derived: c.derived_value,
                finite_difference: c.numeric_value,
                relative_error: c.relative_error_value,
            })
            .collect(),
        exact: ExactExplainJson {
            loss: match &e.loss_value {
                Value::Exact(t) => Some(exact_strings(t)),
                Value::Approx(_) => None,
            },
            gradients: exact_gradients,
            updated: exact_updated,
        },
        lines: LinesJson {
            given: e.given.iter().map(step_json).collect(),
            forward: e.forward.iter().map(step_json).collect(),
            loss: step_json(&e.loss_step),
            backward: e
                .backward
                .iter()
                .map(|item| step_json(item.step()))
                .collect(),
            update: e
                .update
                .iter()
                .flat_map(|u| u.groups.iter().flatten())
                .map(step_json)
                .collect(),
            rules: e
                .rules
                .iter()
                .map(|statement| {
                    statement
                        .equations
                        .iter()
                        .map(|(lhs, rhs)| format!("{} = {}", text::render(lhs), text::render(rhs)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect(),
        },
    };
    let mut out = serde_json::to_string_pretty(&page).unwrap_or_default();
    out.push('\n');
    out
}

/// A Jupyter notebook (nbformat 4.5) as Jupyter itself writes one: keys in order, one space of
/// indent, each cell's source a list of lines, no outputs and no execution counts.
pub fn notebook(notebook: &super::ipynb::Notebook) -> String {
    #[derive(Serialize)]
    struct NotebookJson<'a> {
        cells: Vec<CellJson<'a>>,
        metadata: MetadataJson,
        nbformat: u32,
        nbformat_minor: u32,
    }
    #[derive(Serialize)]
    struct CellJson<'a> {
        cell_type: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        execution_count: Option<Json>,
        id: &'a str,
        metadata: Map<String, Json>,
        #[serde(skip_serializing_if = "Option::is_none")]
        outputs: Option<Vec<Json>>,
        source: Vec<&'a str>,
    }
    #[derive(Serialize)]
    struct MetadataJson {
        kernelspec: KernelJson,
        language_info: LanguageJson,
    }
    #[derive(Serialize)]
    struct KernelJson {
        display_name: &'static str,
        language: &'static str,
        name: &'static str,
    }
    #[derive(Serialize)]
    struct LanguageJson {
        name: &'static str,
    }
    let cells = notebook
        .cells
        .iter()
        .map(|cell| {
            let code = cell.kind == super::ipynb::CellKind::Code;
            CellJson {
                cell_type: if code { "code" } else { "markdown" },
                execution_count: code.then_some(Json::Null),
                id: &cell.id,
                metadata: Map::new(),
                outputs: code.then(Vec::new),
                source: cell.source.split_inclusive('\n').collect(),
            }
        })
        .collect();
    let page = NotebookJson {
        cells,
        metadata: MetadataJson {
            kernelspec: KernelJson {
                display_name: "Python 3",
                language: "python",
                name: "python3",
            },
            language_info: LanguageJson { name: "python" },
        },
        nbformat: 4,
        nbformat_minor: 5,
    };
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    if page.serialize(&mut serializer).is_err() {
        return String::new();
    }
    let mut out = String::from_utf8(out).unwrap_or_default();
    out.push('\n');
    out
}
