//! The notebook's code cells: the worked step again in PyTorch (float64), each section's values
//! compared with the worked ones.
//!
//! The code follows the layout of `codegen::pytorch::expr`: a value that differs from example to
//! example has a row per example (a file of one example is a batch of one row), a value every
//! example shares has its declared shape. The worked values are written in the same layout, as
//! float64 literals of the explanation's values (an exact value rounded once, to the nearest
//! float64), so a cell compares a PyTorch tensor with a literal of the same shape.

use std::collections::HashMap;

use crate::codegen::pytorch::expr::{Context, expression, python_float, statements};
use crate::eval::batch::Batched;
use crate::eval::exact::Value;
use crate::explain::explanation::{Explanation, is_layer};
use crate::ir::{DeclId, DeclKind, Model, NodeId, Op, Optimizer};
use crate::notation::{Formula, Symbol};
use crate::render::math::text;
use crate::tensor::Tensor;

/// What the code cells are written from, besides the explanation: the network, the
/// declarations' values and every node's, over the batch the step is taken on.
pub struct Network<'a> {
    pub model: &'a Model,
    /// The declarations the gradient is taken with respect to.
    pub wrt: &'a [DeclId],
    /// Each declaration's values, an example's or shared.
    pub declared: &'a [Option<Batched<Value>>],
    /// Each node's values (of the forward graph and beyond).
    pub values: &'a [Option<Batched<Value>>],
    /// The number of examples of the step.
    pub examples: usize,
}

/// A network the code cells cannot write (an operation without a PyTorch translation).
#[derive(Debug)]
pub struct Unwritable(pub String);

/// A line of Python: `name = torch.tensor(…)`.
pub struct Assignment {
    pub variable: String,
    pub expression: String,
}

/// One comparison a cell prints: a label (Python string literal), the PyTorch expression, and
/// the worked values (a Python literal of the same shape).
pub struct Comparison {
    pub label: String,
    pub computed: String,
    pub worked: String,
}

/// The parameters after the optimizer's first step.
pub struct OptimizerView {
    pub checks: Vec<Comparison>,
}

pub struct StepsView {
    pub steps: usize,
    /// The losses the worked run found, before the first step through after the last (only
    /// the finite ones, up to a divergence).
    pub losses: String,
    pub losses_label: String,
    /// How many of them there are (steps + 1, or fewer after a divergence).
    pub compared: usize,
    pub checks: Vec<Comparison>,
}

/// Everything the code template needs.
pub struct CodeView {
    pub rows: usize,
    pub given: Vec<Assignment>,
    /// The Python names of the parameters the optimizer moves.
    pub parameters: Vec<String>,
    /// The forward pass: the lines of `forward()`, and the names it returns (`h, o, E`).
    pub forward: Vec<Assignment>,
    pub returned: String,
    pub forward_checks: Vec<Comparison>,
    /// The loss of each example (a variable of `forward()`), and the checks of the loss cell.
    pub loss: String,
    pub loss_checks: Vec<Comparison>,
    pub gradient_checks: Vec<Comparison>,
    /// PyTorch's optimizer over the parameters, with the file's settings.
    pub optimizer: String,
    pub update: Option<OptimizerView>,
    pub steps: Option<StepsView>,
}

/// Names the code uses for itself: a name of the file that is one of them (or a Python
/// keyword) gets an underscore.
const OWN_NAMES: &[&str] = &[
    "torch",
    "compare",
    "forward",
    "largest",
    "rows",
    "print",
    "max",
    "min",
    "range",
    "float",
    "len",
    "zip",
    "list",
    "abs",
    "sum",
    "tuple",
    "global",
    "step",
    "losses",
    "starting",
    "name",
    "computed",
    "worked",
    "difference",
    "loss",
    "optimizer",
    "parameters",
    "parameter",
    "value",
];

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The Python identifier of each name of the file (declarations, named values, the loss): the
/// name itself (Python and nabla take the same letters), with underscores added where the code
/// needs the name, it is a keyword, or it looks like a temporary of the translation (`_t1`).
/// Unlike `codegen::pytorch::names`, which spells names as the Rust trainer does for a
/// module's attributes (`θ` is `theta`), the notebook keeps the page's letters (`θ`).
struct PythonNames {
    names: HashMap<String, String>,
    taken: std::cell::RefCell<std::collections::HashSet<String>>,
}

impl PythonNames {
    fn new(model: &Model) -> PythonNames {
        let names: Vec<&str> = model
            .declarations
            .iter()
            .map(|d| d.name.as_str())
            .chain(model.intermediates.iter().map(|i| i.name.as_str()))
            .chain(std::iter::once(model.loss.name.as_str()))
            .collect();
        let mut taken: std::collections::HashSet<String> =
            names.iter().map(|n| n.to_string()).collect();
        let mut map = HashMap::new();
        for name in names {
            let temporary = name
                .strip_prefix("_t")
                .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()));
            if !(OWN_NAMES.contains(&name) || PYTHON_KEYWORDS.contains(&name) || temporary) {
                map.insert(name.to_string(), name.to_string());
                continue;
            }
            let mut candidate = format!("{name}_");
            while taken.contains(&candidate) || OWN_NAMES.contains(&candidate.as_str()) {
                candidate.push('_');
            }
            taken.insert(candidate.clone());
            map.insert(name.to_string(), candidate);
        }
        PythonNames {
            names: map,
            taken: std::cell::RefCell::new(taken),
        }
    }

    fn of(&self, name: &str) -> String {
        self.names
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    /// A name for a value the file does not name (`net_h`): `base`, with underscores added
    /// until no other name has it.
    fn fresh(&self, base: &str) -> String {
        let mut taken = self.taken.borrow_mut();
        let mut candidate = base.to_string();
        while taken.contains(&candidate) || OWN_NAMES.contains(&candidate.as_str()) {
            candidate.push('_');
        }
        taken.insert(candidate.clone());
        candidate
    }
}

/// A Python string literal of `text`.
pub fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A tensor as nested Python lists of `leaf` of each element (a scalar as the element).
fn nested<T>(value: &Tensor<T>, leaf: impl Fn(&T) -> String) -> String {
    value
        .nest(leaf, |items| format!("[{}]", items.join(", ")))
        .unwrap_or_else(|| "[]".to_string())
}

/// Whole numbers (an index's values) as Python integers.
fn integers(value: &Value) -> String {
    match value {
        Value::Exact(t) => nested(t, |x| x.to_integer().to_string()),
        Value::Approx(t) => nested(t, |x| format!("{}", x.round() as i64)),
    }
}

/// The values of something the code holds as rows (one per example) or as one shared value.
fn literal(
    values: &Batched<Value>,
    rows: Option<usize>,
    write: &dyn Fn(&Value) -> String,
) -> String {
    match rows {
        Some(m) => format!(
            "[{}]",
            (0..m)
                .filter_map(|i| values.example(i))
                .map(write)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => values.values().first().map(write).unwrap_or_default(),
    }
}

fn float_literal(value: &Value) -> String {
    nested(&value.to_f64(), |x| python_float(*x))
}

impl CodeView {
    pub fn new(e: &Explanation, network: &Network) -> Result<CodeView, Unwritable> {
        let model = network.model;
        let graph = &model.graph;
        let m = network.examples;
        let rows_of = |per_example: bool| per_example.then_some(m);
        let names = PythonNames::new(model);
        let python_name = |name: &str| names.of(name);
        let decl_name = |decl: DeclId| python_name(&model.declaration(decl).name);

        // Section 1: the declarations the network reads, a row per example for the data.
        let mut given = Vec::new();
        for (index, declaration) in model.declarations.iter().enumerate() {
            let Some(values) = network.declared.get(index).and_then(Option::as_ref) else {
                continue;
            };
            let id = DeclId(index as u32);
            let rows = rows_of(declaration.is_per_example());
            let expression = if declaration.index.is_some() {
                format!("torch.tensor({})", literal(values, rows, &integers))
            } else {
                let requires = if network.wrt.contains(&id) {
                    ", requires_grad=True"
                } else {
                    ""
                };
                format!(
                    "torch.tensor({}{requires})",
                    literal(values, rows, &float_literal)
                )
            };
            given.push(Assignment {
                variable: decl_name(id),
                expression,
            });
        }
        let parameters: Vec<String> = network
            .wrt
            .iter()
            .filter(|d| model.declaration(**d).kind == DeclKind::Param)
            .map(|d| decl_name(*d))
            .collect();

        // Section 2: the forward pass, a line per named value (and per layer's net input, as
        // the page shows it), and the loss of each example.
        let available = |id: NodeId| match graph[id].op {
            Op::Var(decl) => Some(decl_name(decl)),
            _ => None,
        };
        // (Python variable, label, node): the values the page names, in the file's order.
        let mut named: Vec<(String, String, NodeId)> = model
            .intermediates
            .iter()
            .map(|i| (python_name(&i.name), i.name.clone(), i.node))
            .collect();
        named.push((
            python_name(&model.loss.name),
            model.loss.name.clone(),
            model.loss.node,
        ));
        // A node two names share is computed under the first; the second is a copy.
        let mut variables: HashMap<NodeId, (String, String)> = HashMap::new();
        for (variable, label, node) in &named {
            variables
                .entry(*node)
                .or_insert_with(|| (variable.clone(), label.clone()));
        }
        for (_, label, node) in &named {
            if let Op::Unary(_, net) = graph[*node].op
                && is_layer(graph, *node)
                && !variables.contains_key(&net)
            {
                let net_label = text::render(&Formula::Symbol(Symbol::net_input(label)));
                let variable = names.fresh(&format!("net_{}", names.of(label)));
                variables.insert(net, (variable, net_label));
            }
        }
        let variable = |id: NodeId| variables.get(&id).map(|(variable, _)| variable.clone());
        let cx = Context::new(graph, &available, &variable);
        let roots: Vec<NodeId> = named.iter().map(|(_, _, node)| *node).collect();
        let lines = statements(&cx, &roots).map_err(|u| Unwritable(u.operation))?;
        let mut bound: HashMap<NodeId, String> = HashMap::new();
        let mut forward: Vec<(Assignment, NodeId)> = Vec::new();
        for line in &lines {
            bound.insert(line.node, line.variable.clone());
            forward.push((
                Assignment {
                    variable: line.variable.clone(),
                    expression: line.expression.clone(),
                },
                line.node,
            ));
        }
        for (name, _, node) in &named {
            if forward.iter().any(|(a, _)| &a.variable == name) {
                continue;
            }
            // A name for a declaration, a number, or a value named before.
            let expression = match bound.get(node) {
                Some(other) => other.clone(),
                None => {
                    expression(&cx, &bound, *node)
                        .map_err(|u| Unwritable(u.operation))?
                        .text
                }
            };
            forward.push((
                Assignment {
                    variable: name.clone(),
                    expression,
                },
                *node,
            ));
        }
        let worked_of = |node: NodeId| -> Option<String> {
            let values = network.values.get(node.index())?.as_ref()?;
            Some(literal(
                values,
                rows_of(graph[node].per_example),
                &float_literal,
            ))
        };
        // Every value the page names but the loss (the next cell's), in the order computed.
        let loss_variable = python_name(&model.loss.name);
        let label_of = |line: &Assignment, node: NodeId| -> Option<String> {
            if line.variable == loss_variable {
                return None;
            }
            named
                .iter()
                .find(|(name, ..)| name == &line.variable)
                .map(|(_, label, _)| label.clone())
                .or_else(|| {
                    variables
                        .get(&node)
                        .filter(|(variable, _)| variable == &line.variable)
                        .map(|(_, label)| label.clone())
                })
        };
        let forward_checks = forward
            .iter()
            .filter_map(|(line, node)| {
                Some(Comparison {
                    label: string(&label_of(line, *node)?),
                    computed: line.variable.clone(),
                    worked: worked_of(*node)?,
                })
            })
            .collect();
        // Everything but the temporaries (`_t1`), for the cells after.
        let returned = forward
            .iter()
            .filter(|(line, node)| {
                line.variable == loss_variable || label_of(line, *node).is_some()
            })
            .map(|(line, _)| line.variable.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let forward: Vec<Assignment> = forward.into_iter().map(|(line, _)| line).collect();

        // Section 3: each example's loss, and the loss of the step (their mean).
        let loss = python_name(&model.loss.name);
        let loss_text = text::render(&e.loss);
        let mut loss_checks = Vec::new();
        if let Some(worked) = worked_of(model.loss.node)
            && (e.batch.is_some() || !graph[model.loss.node].per_example)
        {
            let label = match &e.loss {
                Formula::Symbol(symbol) if e.batch.is_some() => {
                    text::render(&Formula::Symbol(symbol.clone().of_example("i")))
                }
                _ => loss_text.clone(),
            };
            loss_checks.push(Comparison {
                label: string(&label),
                computed: loss.clone(),
                worked,
            });
        }
        loss_checks.push(Comparison {
            label: string(&loss_text),
            computed: "loss".to_string(),
            worked: float_literal(&e.loss_value),
        });

        // Section 4: the gradients autograd finds.
        let gradient_checks = e
            .gradients
            .iter()
            .filter_map(|(name, value)| {
                let (index, declaration) = model
                    .declarations
                    .iter()
                    .enumerate()
                    .find(|(_, d)| &d.name == name)?;
                let variable = decl_name(DeclId(index as u32));
                let worked = float_literal(value);
                Some(Comparison {
                    label: string(&text::render(&Formula::partial(
                        e.loss.clone(),
                        Formula::symbol(name),
                    ))),
                    computed: format!("{variable}.grad"),
                    worked: if declaration.is_per_example() {
                        format!("[{worked}]")
                    } else {
                        worked
                    },
                })
            })
            .collect();

        let params_after = |pairs: &[(String, Value)], label: &dyn Fn(&str) -> String| {
            pairs
                .iter()
                .map(|(name, value)| Comparison {
                    label: string(&label(name)),
                    computed: python_name(name),
                    worked: float_literal(value),
                })
                .collect::<Vec<_>>()
        };
        let update = (!parameters.is_empty() && e.update.is_some()).then(|| OptimizerView {
            checks: params_after(&e.updated, &|name| {
                text::render(&Formula::Symbol(Symbol::plain(name).updated()))
            }),
        });
        let steps = e.history.as_ref().map(|h| {
            let finite: Vec<f64> = h
                .losses
                .iter()
                .copied()
                .take_while(|l| l.is_finite())
                .collect();
            StepsView {
                steps: h.steps,
                compared: finite.len(),
                losses: format!(
                    "[{}]",
                    finite
                        .iter()
                        .map(|x| python_float(*x))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                losses_label: string(&loss_text),
                checks: if h.diverged_at.is_some() {
                    Vec::new()
                } else {
                    params_after(&h.final_values, &|name| name.to_string())
                },
            }
        });
        Ok(CodeView {
            optimizer: optimizer(&model.optimizer, &parameters),
            rows: m,
            given,
            parameters,
            forward,
            returned,
            forward_checks,
            loss,
            loss_checks,
            gradient_checks,
            update,
            steps,
        })
    }
}

/// `torch.optim.SGD([W1, b1], lr=0.5)`: PyTorch's own optimizer, whose rule is the one the
/// worked step follows (momentum without dampening; Adam with ε outside the square root).
fn optimizer(optimizer: &Optimizer, parameters: &[String]) -> String {
    let number = |x: &num_rational::BigRational| python_float(crate::exact::to_f64(x));
    let list = parameters.join(", ");
    match optimizer {
        Optimizer::Sgd { lr, momentum } if num_traits::Zero::is_zero(momentum) => {
            format!("torch.optim.SGD([{list}], lr={})", number(lr))
        }
        Optimizer::Sgd { lr, momentum } => format!(
            "torch.optim.SGD([{list}], lr={}, momentum={})",
            number(lr),
            number(momentum)
        ),
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => format!(
            "torch.optim.Adam([{list}], lr={}, betas=({}, {}), eps={})",
            number(lr),
            number(beta1),
            number(beta2),
            number(eps)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_are_the_files_unless_the_code_or_python_has_them() {
        let source = "input lambda = 1\nparam sum = 2\nparam sum_ = 3\nparam θ = 1\n\
                      _t1 = lambda * sum + sum_ * θ\nloss compare = _t1^2\n";
        let (model, diagnostics) = crate::compile(source);
        let model = model.unwrap_or_else(|| panic!("{diagnostics:?}"));
        let names = PythonNames::new(&model);
        let of = |n: &str| names.of(n);
        assert_eq!(of("lambda"), "lambda_");
        assert_eq!(of("sum"), "sum__");
        assert_eq!(of("sum_"), "sum_");
        assert_eq!(of("θ"), "θ");
        assert_eq!(of("_t1"), "_t1_");
        assert_eq!(of("compare"), "compare_");
    }

    #[test]
    fn strings_are_python_literals() {
        assert_eq!(string("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }
}
