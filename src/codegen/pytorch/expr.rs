//! The expression graph (`ir`) as PyTorch expressions: `torch.sigmoid(x @ self.W1.T + self.b1)`.
//!
//! One rule of layout makes every operation a plain PyTorch call: a value that differs from
//! example to example ([`Node::per_example`](crate::ir::Node::per_example)) carries a leading
//! batch axis, a row per example (`x` of `input x[4]` is a tensor `[rows, 4]`), while a value
//! shared by the batch (parameters, constants, batch statistics) has its declared shape. So
//! `W @ x` of a parameter and an input is `x @ W.T`, `sum(v)` of an example's vector is
//! `v.sum(dim=1)`, and `batch_mean(z)` is `z.mean(dim=0)`. A step on a single example is a
//! batch of one row. Indices (`c : index(27)`) are integer tensors (`torch.long`), a row each.
//!
//! How to call it (for `nabla gen --target pytorch`, and for any other writer of PyTorch code):
//!
//! ```
//! use nabla::codegen::pytorch::expr::{Context, statements};
//! let model = nabla::compile(
//!     "input x[2]\ntarget y[1]\nparam W[1, 2] ~ zeros\no = sigmoid(W @ x)\nloss E = mse(o, y)\n",
//! ).0.expect("a valid network");
//! // How the code names the declarations it has (here: parameters as attributes of `self`).
//! let declared = |id: nabla::ir::NodeId| match model.graph[id].op {
//!     nabla::ir::Op::Var(decl) => {
//!         let d = model.declaration(decl);
//!         Some(if d.kind == nabla::ir::DeclKind::Param { format!("self.{}", d.name) } else { d.name.clone() })
//!     }
//!     _ => None,
//! };
//! // Which computed values get a line of their own, under which name: here the named ones.
//! let named = |id: nabla::ir::NodeId| model.graph[id].name.clone();
//! let context = Context::new(&model.graph, &declared, &named);
//! let lines = statements(&context, &[model.loss.node]).expect("every operation translates");
//! let code: Vec<String> = lines.iter().map(|s| format!("{} = {}", s.variable, s.expression)).collect();
//! assert_eq!(code, ["o = torch.sigmoid(x @ self.W.T)", "E = ((o - y) ** 2).mean(dim=1)"]);
//! ```
//!
//! [`statements`] gives the lines that compute some roots, in the graph's order (operands
//! first): a line for each node `variable` names, and for each other node that more than one
//! operation reads (`_t1`, `_t2` …, so nothing is written out twice); [`expression`] writes one
//! node inline. Both refuse an operation they do not translate with [`Untranslatable`], naming
//! it. Every expression computes what `eval::float` computes (the stable binary cross-entropy
//! `max(z, 0) − z·y + log1p(exp(−|z|))`, a softmax and a log-softmax over the last axis), up to
//! the order of floating-point additions inside PyTorch's kernels.

use std::collections::HashMap;

use num_rational::BigRational;

use crate::ir::{Along, Binary, Conv, Graph, NodeId, Op, Pool, TensorOp, Unary, Window};
use crate::shape::Shape;

/// An operation this module does not write in PyTorch (yet): the caller says so to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Untranslatable {
    /// The operation as the language (or the graph) calls it: `conv2d`, `max_pool`.
    pub operation: String,
}

impl std::fmt::Display for Untranslatable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` has no PyTorch translation yet", self.operation)
    }
}

/// How tightly a Python expression binds; higher binds tighter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precedence {
    /// `a > 0`
    Comparison,
    /// `a + b`, `a - b`
    Additive,
    /// `a * b`, `a / b`, `a @ b`
    Multiplicative,
    /// `-a`
    Unary,
    /// `a ** b`
    Power,
    /// A name, a call, an attribute, a subscript, an unsigned number.
    Atom,
}

/// A Python expression and how tightly it binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub text: String,
    pub precedence: Precedence,
}

impl Expr {
    fn atom(text: String) -> Expr {
        Expr {
            text,
            precedence: Precedence::Atom,
        }
    }

    /// The expression as an operand that must bind at least as tightly as `at_least`.
    fn at_least(&self, at_least: Precedence) -> String {
        if self.precedence >= at_least {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }
}

/// What the translation needs to know of the code around it.
pub struct Context<'a> {
    pub graph: &'a Graph,
    /// The Python expression of a value the code already has: every declaration the roots read
    /// (`self.W1`, `x`), and anything else the caller computes itself (a batch statistic read
    /// from its running average). Never called for a node `variable` names and computes.
    pub available: &'a dyn Fn(NodeId) -> Option<String>,
    /// The variable a computed node is kept in, if it gets a line of its own (`h`).
    pub variable: &'a dyn Fn(NodeId) -> Option<String>,
    /// The number of examples m of the batch (`batch_size` of `batch_var(v, 1)`): default
    /// `rows`.
    pub batch_size: String,
    /// The number of rows per-example values have here (for a shared vector joined to an
    /// example's): default `rows`.
    pub rows: String,
    /// How a mean over the batch is written: `None` for `v.mean(dim=0)`, else a call in which
    /// `{}` stands for the value (`batch_mean({}, m)`, where the batch is shared among
    /// processes).
    pub batch_mean: Option<String>,
    /// The float type of tensors the code makes (one-hot vectors, literal tensors, steps):
    /// default `torch.get_default_dtype()`.
    pub dtype: String,
    /// How the code names `torch.nn.functional` (convolution, pooling): default the module's
    /// full name; `F` where the code imports it so.
    pub functional: String,
}

impl<'a> Context<'a> {
    /// The defaults: the batch is `rows` rows, a batch mean is `v.mean(dim=0)`, tensors made
    /// here have torch's default float type.
    pub fn new(
        graph: &'a Graph,
        available: &'a dyn Fn(NodeId) -> Option<String>,
        variable: &'a dyn Fn(NodeId) -> Option<String>,
    ) -> Context<'a> {
        Context {
            graph,
            available,
            variable,
            batch_size: "rows".to_string(),
            rows: "rows".to_string(),
            batch_mean: None,
            dtype: "torch.get_default_dtype()".to_string(),
            functional: "torch.nn.functional".to_string(),
        }
    }
}

/// One line of Python: `variable = expression`, computing `node`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub node: NodeId,
    pub variable: String,
    pub expression: String,
    /// A temporary (`_t1`): a value read twice that the file did not name.
    pub temporary: bool,
}

/// The statements that compute `roots`, operands first (see the module's documentation). A
/// root that is available or a literal needs no statement; one that `variable` does not name
/// gets a temporary.
pub fn statements(cx: &Context, roots: &[NodeId]) -> Result<Vec<Statement>, Untranslatable> {
    let graph = cx.graph;
    // The nodes the roots need, stopping at what the code already has.
    let mut needed = vec![false; graph.len()];
    let mut uses = vec![0usize; graph.len()];
    let mut pending: Vec<NodeId> = roots.to_vec();
    for &root in roots {
        uses[root.index()] += 2;
    }
    while let Some(id) = pending.pop() {
        if needed[id.index()] {
            continue;
        }
        needed[id.index()] = true;
        if (cx.available)(id).is_some() {
            continue;
        }
        for operand in graph[id].op.operands() {
            uses[operand.index()] += 1;
            pending.push(operand);
        }
        // The stable binary cross-entropy writes its net input three times.
        if let Op::Binary(Binary::SigmoidCrossEntropy, z, _) = graph[id].op {
            uses[z.index()] += 1;
        }
    }
    let mut bound: HashMap<NodeId, String> = HashMap::new();
    let mut lines = Vec::new();
    let mut temporaries = 0;
    for id in graph.ids() {
        if !needed[id.index()] || (cx.available)(id).is_some() || trivial(graph, id) {
            continue;
        }
        let (variable, temporary) = match (cx.variable)(id) {
            Some(name) => (name, false),
            None if uses[id.index()] >= 2 => {
                temporaries += 1;
                (format!("_t{temporaries}"), true)
            }
            None => continue,
        };
        let expression = write(cx, &bound, id, true)?.text;
        bound.insert(id, variable.clone());
        lines.push(Statement {
            node: id,
            variable,
            expression,
            temporary,
        });
    }
    Ok(lines)
}

/// `node` written out inline, down to what the code has (`available`, or a `variable` of a
/// statement before: pass `bound`, as [`statements`] does, to read those by name).
pub fn expression(
    cx: &Context,
    bound: &HashMap<NodeId, String>,
    node: NodeId,
) -> Result<Expr, Untranslatable> {
    write(cx, bound, node, true)
}

/// Written where it is used rather than kept: declarations and numbers.
fn trivial(graph: &Graph, id: NodeId) -> bool {
    match &graph[id].op {
        Op::Var(_) | Op::BatchSize => true,
        Op::Literal(value) => value.as_scalar().is_some(),
        _ => false,
    }
}

/// The expression of `node`; `top` is false when it is an operand, which reads a bound node by
/// its name.
fn write(
    cx: &Context,
    bound: &HashMap<NodeId, String>,
    node: NodeId,
    top: bool,
) -> Result<Expr, Untranslatable> {
    if let Some(text) = (cx.available)(node) {
        return Ok(Expr::atom(text));
    }
    if !top && let Some(name) = bound.get(&node) {
        return Ok(Expr::atom(name.clone()));
    }
    let graph = cx.graph;
    let operand = |id: NodeId| write(cx, bound, id, false);
    let each = |id: NodeId| graph[id].per_example;
    // The axes of a value, after the batch axis where it has one.
    let rank = |id: NodeId| graph[id].shape.rank();
    Ok(match &graph[node].op {
        Op::Var(_) => {
            return Err(Untranslatable {
                operation: "a declaration the code does not have".to_string(),
            });
        }
        Op::Literal(value) => literal(value, &cx.dtype),
        Op::BatchSize => Expr::atom(cx.batch_size.clone()),
        Op::Unary(f, a) => {
            let a_node = *a;
            let a = operand(a_node)?;
            let call = |function: &str| Expr::atom(format!("{function}({})", a.text));
            match f {
                Unary::Neg => Expr {
                    text: format!("-{}", a.at_least(Precedence::Unary)),
                    precedence: Precedence::Unary,
                },
                Unary::Sigmoid => call("torch.sigmoid"),
                Unary::Tanh => call("torch.tanh"),
                Unary::Relu => call("torch.relu"),
                Unary::Exp => call("torch.exp"),
                Unary::Log => call("torch.log"),
                Unary::Sqrt => call("torch.sqrt"),
                Unary::Abs => call("torch.abs"),
                Unary::Sign => call("torch.sign"),
                // relu′: 1 where positive, else 0.
                Unary::Step => Expr::atom(format!(
                    "({} > 0).to({})",
                    a.at_least(Precedence::Additive),
                    cx.dtype
                )),
                Unary::Transpose if each(a_node) => method(&a, "transpose(1, 2)".to_string()),
                Unary::Transpose => method(&a, "T".to_string()),
                Unary::Sum | Unary::Mean if rank(a_node) == 0 => a,
                Unary::Sum | Unary::Mean => {
                    let function = if *f == Unary::Sum { "sum" } else { "mean" };
                    if each(a_node) {
                        let axes: Vec<String> = (1..=rank(a_node)).map(|k| k.to_string()).collect();
                        let dim = match axes.as_slice() {
                            [one] => one.clone(),
                            many => format!("({})", many.join(", ")),
                        };
                        method(&a, format!("{function}(dim={dim})"))
                    } else {
                        method(&a, format!("{function}()"))
                    }
                }
                Unary::Softmax => Expr::atom(format!("torch.softmax({}, dim=-1)", a.text)),
                Unary::LogSoftmax => Expr::atom(format!("torch.log_softmax({}, dim=-1)", a.text)),
                Unary::BatchMean => match &cx.batch_mean {
                    Some(pattern) => Expr::atom(pattern.replace("{}", &a.text)),
                    None => method(&a, "mean(dim=0)".to_string()),
                },
                // Operations added to the graph after this translation was written.
                #[allow(unreachable_patterns)]
                other => {
                    return Err(Untranslatable {
                        operation: other.name().to_string(),
                    });
                }
            }
        }
        Op::Pow(a, p) => {
            let a = operand(*a)?;
            Expr {
                text: format!("{} ** {}", a.at_least(Precedence::Atom), exponent(p)),
                precedence: Precedence::Power,
            }
        }
        Op::Binary(op, a, b) => {
            let (a_node, b_node) = (*a, *b);
            match op {
                Binary::Add | Binary::Sub | Binary::Mul | Binary::Div => {
                    // `conv2d(X, K, b, …)`: PyTorch's convolution adds the bias itself.
                    if *op == Binary::Add
                        && let Some(fused) = conv_with_bias(cx, bound, a_node, b_node)
                    {
                        return fused;
                    }
                    let (symbol, precedence) = match op {
                        Binary::Add => ("+", Precedence::Additive),
                        Binary::Sub => ("-", Precedence::Additive),
                        Binary::Mul => ("*", Precedence::Multiplicative),
                        _ => ("/", Precedence::Multiplicative),
                    };
                    let left = broadcast(operand(a_node)?, cx, a_node, b_node);
                    let right = broadcast(operand(b_node)?, cx, b_node, a_node);
                    // Left-associative: the right operand of `a - (b - c)` keeps its parentheses.
                    let right = if right.precedence > precedence {
                        right.text
                    } else {
                        format!("({})", right.text)
                    };
                    Expr {
                        text: format!("{} {symbol} {right}", left.at_least(precedence)),
                        precedence,
                    }
                }
                Binary::MatMul => {
                    let (x, y) = (operand(a_node)?, operand(b_node)?);
                    let vector = rank(b_node) == 1;
                    match (each(a_node), each(b_node)) {
                        // A shared matrix times each example's vector: the rows times its
                        // transpose, as `nn.Linear` writes it.
                        (false, true) if vector => {
                            // `Mᵀ x` is `x @ M`, not `x @ M.T.T`.
                            let transposed = match graph[a_node].op {
                                Op::Unary(Unary::Transpose, m)
                                    if !bound.contains_key(&a_node)
                                        && (cx.available)(a_node).is_none() =>
                                {
                                    Some(operand(m)?)
                                }
                                _ => None,
                            };
                            match transposed {
                                Some(m) => product(&y, &m),
                                None => product(
                                    &y,
                                    &Expr::atom(format!("{}.T", x.at_least(Precedence::Atom))),
                                ),
                            }
                        }
                        (true, true) if vector => Expr::atom(format!(
                            "torch.einsum(\"bij,bj->bi\", {}, {})",
                            x.text, y.text
                        )),
                        // Batched or broadcast by `@` itself.
                        _ => product(&x, &y),
                    }
                }
                Binary::Outer => {
                    let (u, v) = (operand(a_node)?, operand(b_node)?);
                    if !each(a_node) && !each(b_node) {
                        Expr::atom(format!("torch.outer({}, {})", u.text, v.text))
                    } else {
                        let column = if each(a_node) {
                            "[:, :, None]"
                        } else {
                            "[:, None]"
                        };
                        let row = if each(b_node) { "[:, None, :]" } else { "" };
                        Expr {
                            text: format!(
                                "{}{column} * {}{row}",
                                u.at_least(Precedence::Atom),
                                v.at_least(Precedence::Atom)
                            ),
                            precedence: Precedence::Multiplicative,
                        }
                    }
                }
                Binary::Pick => {
                    let (table, index) = (operand(a_node)?, operand(b_node)?);
                    let table_text = table.at_least(Precedence::Atom);
                    match (each(a_node), each(b_node)) {
                        // A shared table, an index per example: a row (or element) each.
                        (false, _) => Expr::atom(format!("{table_text}[{}]", index.text)),
                        (true, false) => Expr::atom(format!("{table_text}[:, {}]", index.text)),
                        // Each example's own table, at its own index.
                        (true, true) if rank(a_node) == 1 => Expr::atom(format!(
                            "{table_text}.gather(1, {}[:, None])[:, 0]",
                            index.at_least(Precedence::Atom)
                        )),
                        (true, true) => {
                            let width = graph[a_node].shape.dims().last().copied().unwrap_or(1);
                            Expr::atom(format!(
                                "{table_text}.gather(1, {}[:, None, None].expand(-1, 1, {width}))[:, 0]",
                                index.at_least(Precedence::Atom)
                            ))
                        }
                    }
                }
                Binary::Concat => {
                    let whole = each(node);
                    let part = |id: NodeId| -> Result<String, Untranslatable> {
                        let e = operand(id)?;
                        let atom = e.at_least(Precedence::Atom);
                        Ok(match (each(id), rank(id) == 0, whole) {
                            (true, true, _) => format!("{atom}[:, None]"),
                            (true, false, _) => e.text,
                            (false, true, true) => format!("{atom}.expand({}, 1)", cx.rows),
                            (false, false, true) => format!("{atom}.expand({}, -1)", cx.rows),
                            (false, true, false) => format!("{atom}.reshape(1)"),
                            (false, false, false) => e.text,
                        })
                    };
                    Expr::atom(format!(
                        "torch.cat([{}, {}], dim=-1)",
                        part(a_node)?,
                        part(b_node)?
                    ))
                }
                // Binary cross-entropy of a sigmoid, from its net input z, stably.
                Binary::SigmoidCrossEntropy => {
                    let z = broadcast(operand(a_node)?, cx, a_node, b_node);
                    let y = broadcast(operand(b_node)?, cx, b_node, a_node);
                    let z = z.at_least(Precedence::Atom);
                    Expr {
                        text: format!(
                            "torch.clamp({z}, min=0) - {z} * {} + torch.log1p(torch.exp(-torch.abs({z})))",
                            y_factor(&y)
                        ),
                        precedence: Precedence::Additive,
                    }
                }
                #[allow(unreachable_patterns)]
                other => {
                    return Err(Untranslatable {
                        operation: other.symbol().to_string(),
                    });
                }
            }
        }
        Op::Broadcast(a, shape) => {
            let a_node = *a;
            let a = operand(a_node)?;
            let dims: Vec<String> = shape.dims().iter().map(|n| n.to_string()).collect();
            if each(a_node) {
                let nones = "None, ".repeat(dims.len());
                Expr::atom(format!(
                    "{}[:, {}].expand(-1, {})",
                    a.at_least(Precedence::Atom),
                    nones.trim_end_matches(", "),
                    dims.join(", ")
                ))
            } else {
                method(&a, format!("expand({})", dims.join(", ")))
            }
        }
        Op::Tensor(op) => tensor(cx, bound, *op)?,
        Op::OneHot(i, n) => Expr::atom(format!(
            "torch.nn.functional.one_hot({}, {n}).to({})",
            operand(*i)?.text,
            cx.dtype
        )),
        Op::Slice(a, start, shape) => {
            let a = operand(*a)?;
            let at = if shape.rank() == 0 {
                format!("{start}")
            } else {
                format!("{start}:{}", start + shape.size())
            };
            Expr::atom(format!("{}[..., {at}]", a.at_least(Precedence::Atom)))
        }
        #[allow(unreachable_patterns)]
        other => {
            // The language's name (`conv2d`) where there is one, else the graph's.
            let operation = other
                .tensor_operation()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!("{other:?}")
                        .split(['(', ' '])
                        .next()
                        .unwrap_or("an operation")
                        .to_string()
                });
            return Err(Untranslatable { operation });
        }
    })
}

/// Whether the code computes `id` inline here: it is neither available nor kept in a variable.
fn inline(cx: &Context, bound: &HashMap<NodeId, String>, id: NodeId) -> bool {
    !bound.contains_key(&id) && (cx.available)(id).is_none()
}

/// `conv + spread`, where `spread` is a shared bias per channel spread over the feature maps
/// (the lowering of `conv2d(X, K, b, stride, padding)`), as one `conv2d` call with its bias.
fn conv_with_bias(
    cx: &Context,
    bound: &HashMap<NodeId, String>,
    conv: NodeId,
    spread: NodeId,
) -> Option<Result<Expr, Untranslatable>> {
    let graph = cx.graph;
    let Op::Tensor(TensorOp::Conv(Conv::Forward, window, x, k)) = graph[conv].op else {
        return None;
    };
    let Op::Tensor(TensorOp::Expand(along_rows, 2, _)) = graph[spread].op else {
        return None;
    };
    let Op::Tensor(TensorOp::Expand(b, 1, _)) = graph[along_rows].op else {
        return None;
    };
    let fits = graph[b].shape.rank() == 1
        && !graph[b].per_example
        && !graph[k].per_example
        && [conv, spread, along_rows]
            .iter()
            .all(|&id| inline(cx, bound, id));
    fits.then(|| convolution(cx, bound, window, x, k, Some(b)))
}

/// `conv2d(x, k)` (with the bias `b` of each output channel): PyTorch's `conv2d` takes a batch
/// of maps with channels, `[N, C, H, W]`, and kernels `[F, C, kh, kw]`; a map without channels
/// gets an axis of one channel, a shared map a batch of one, and kernels that differ from example
/// to example are one group of the batched call each.
fn convolution(
    cx: &Context,
    bound: &HashMap<NodeId, String>,
    window: Window,
    x: NodeId,
    k: NodeId,
    b: Option<NodeId>,
) -> Result<Expr, Untranslatable> {
    let graph = cx.graph;
    let (xe, ke) = (write(cx, bound, x, false)?, write(cx, bound, k, false)?);
    let (xa, ka) = (xe.at_least(Precedence::Atom), ke.at_least(Precedence::Atom));
    let functional = &cx.functional;
    let mut arguments = String::new();
    if let Some(b) = b {
        arguments.push_str(&format!(", {}", write(cx, bound, b, false)?.text));
    }
    if window != Window::PLAIN {
        arguments.push_str(&format!(
            ", stride={}, padding={}",
            window.stride, window.padding
        ));
    }
    let channels = graph[x].shape.rank() == 3;
    let text = match (graph[x].per_example, graph[k].per_example, channels) {
        (true, false, true) => format!("{functional}.conv2d({}, {}{arguments})", xe.text, ke.text),
        (true, false, false) => {
            format!("{functional}.conv2d({xa}[:, None], {ka}[None, None]{arguments})[:, 0]")
        }
        (false, false, true) => {
            format!("{functional}.conv2d({xa}[None], {}{arguments})[0]", ke.text)
        }
        (false, false, false) => {
            format!("{functional}.conv2d({xa}[None, None], {ka}[None, None]{arguments})[0, 0]")
        }
        // Each example's own kernels: the examples' maps side by side as the channels of one
        // map, each example a group of the call.
        (each_x, true, channels) => {
            let rows = &cx.rows;
            let dims = graph[x].shape.dims();
            let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
            let maps = match (each_x, channels) {
                (true, true) => format!("{xa}.reshape(1, -1, {h}, {w})"),
                (true, false) => format!("{xa}[None]"),
                (false, true) => format!("{xa}.repeat({rows}, 1, 1)[None]"),
                (false, false) => format!("{xa}.expand({rows}, {h}, {w})[None]"),
            };
            let kernels = match graph[k].shape {
                Shape::Tensor4(_, c, kh, kw) => format!("{ka}.reshape(-1, {c}, {kh}, {kw})"),
                _ => format!("{ka}[:, None]"),
            };
            let call =
                format!("{functional}.conv2d({maps}, {kernels}{arguments}, groups={rows})[0]");
            match graph[k].shape {
                Shape::Tensor4(f, ..) => format!("{call}.unflatten(0, (-1, {f}))"),
                _ => call,
            }
        }
    };
    Ok(Expr::atom(text))
}

/// An operation on the axes of tensors. nabla numbers a value's axes without the batch: axis
/// `a` of a value with a row per example is PyTorch's `dim=a + 1`.
fn tensor(
    cx: &Context,
    bound: &HashMap<NodeId, String>,
    op: TensorOp,
) -> Result<Expr, Untranslatable> {
    let graph = cx.graph;
    let each = |id: NodeId| graph[id].per_example;
    let dim = |id: NodeId, axis: usize| axis + usize::from(each(id));
    let functional = &cx.functional;
    let refused = || Untranslatable {
        operation: op.name().to_string(),
    };
    let (a_node, _) = op.operands();
    let a = write(cx, bound, a_node, false)?;
    let atom = a.at_least(Precedence::Atom);
    Ok(match op {
        TensorOp::Conv(Conv::Forward, window, x, k) => convolution(cx, bound, window, x, k, None)?,
        TensorOp::Pool(pool @ (Pool::Max | Pool::Mean), x, k) => {
            let function = if pool == Pool::Max {
                "max_pool2d"
            } else {
                "avg_pool2d"
            };
            // PyTorch pools maps of [C, H, W] or [N, C, H, W].
            match graph[x].shape.rank() + usize::from(each(x)) {
                2 => Expr::atom(format!("{functional}.{function}({atom}[None], {k})[0]")),
                3 | 4 => Expr::atom(format!("{functional}.{function}({}, {k})", a.text)),
                _ => {
                    let first = graph[x].shape.dims()[0];
                    Expr::atom(format!(
                        "{functional}.{function}({atom}.flatten(0, 1), {k}).unflatten(0, (-1, {first}))"
                    ))
                }
            }
        }
        // Each element over a k×k block: the gradient of pooling.
        TensorOp::Upsample(_, k) => method(
            &a,
            format!("repeat_interleave({k}, dim=-2).repeat_interleave({k}, dim=-1)"),
        ),
        TensorOp::Along(along, x, axis) => {
            let d = dim(x, axis);
            match along {
                Along::Sum => method(&a, format!("sum(dim={d})")),
                Along::Softmax => Expr::atom(format!("torch.softmax({}, dim={d})", a.text)),
                Along::LogSoftmax => Expr::atom(format!("torch.log_softmax({}, dim={d})", a.text)),
            }
        }
        TensorOp::Expand(x, axis, _) => {
            let shape = op.shape(graph[x].shape, None).map_err(|_| refused())?;
            let mut sizes: Vec<String> = shape.dims().iter().map(usize::to_string).collect();
            if each(x) {
                sizes.insert(0, "-1".to_string());
            }
            Expr::atom(format!(
                "{atom}.unsqueeze({}).expand({})",
                dim(x, axis),
                sizes.join(", ")
            ))
        }
        TensorOp::Reshape(x, Shape::Vector(_)) if each(x) => method(&a, "flatten(1)".to_string()),
        TensorOp::Reshape(_, Shape::Vector(_)) => method(&a, "flatten()".to_string()),
        TensorOp::Reshape(x, shape) => {
            let mut sizes: Vec<String> = shape.dims().iter().map(usize::to_string).collect();
            if each(x) {
                sizes.insert(0, "-1".to_string());
            }
            method(&a, format!("reshape({})", sizes.join(", ")))
        }
        // The gradients of convolution and max pooling: autograd takes gradients in PyTorch.
        TensorOp::Conv(..) | TensorOp::Pool(Pool::ArgMax, ..) => return Err(refused()),
    })
}

/// `a @ b`.
fn product(a: &Expr, b: &Expr) -> Expr {
    Expr {
        text: format!(
            "{} @ {}",
            a.at_least(Precedence::Multiplicative),
            b.at_least(Precedence::Power)
        ),
        precedence: Precedence::Multiplicative,
    }
}

/// `y` as the right operand of a product.
fn y_factor(y: &Expr) -> String {
    y.at_least(Precedence::Power)
}

/// `a.method`, with parentheses around `a` unless it is an atom.
fn method(a: &Expr, call: String) -> Expr {
    Expr::atom(format!("{}.{call}", a.at_least(Precedence::Atom)))
}

/// An operand of an elementwise operation, ready to meet the other: each example's scalar
/// (a tensor `[rows]`) meeting a vector or a matrix gets axes to broadcast along (`s[:, None]`).
fn broadcast(e: Expr, cx: &Context, this: NodeId, other: NodeId) -> Expr {
    let graph = cx.graph;
    let (this, other) = (&graph[this], &graph[other]);
    if this.per_example && this.shape.rank() == 0 && other.shape.rank() > 0 {
        let nones = vec!["None"; other.shape.rank()].join(", ");
        Expr::atom(format!("{}[:, {nones}]", e.at_least(Precedence::Atom)))
    } else {
        e
    }
}

/// An exact constant: a Python number for a scalar (the nearest float, written so that it reads
/// back as the same float), else a tensor of them.
fn literal(value: &crate::tensor::Tensor<BigRational>, dtype: &str) -> Expr {
    match value.as_scalar() {
        Some(x) => float(crate::exact::to_f64(x)),
        None => {
            let nested = value
                .nest(
                    |x| float(crate::exact::to_f64(x)).text,
                    |items| format!("[{}]", items.join(", ")),
                )
                .unwrap_or_else(|| "[]".to_string());
            Expr::atom(format!("torch.tensor({nested}, dtype={dtype})"))
        }
    }
}

/// A Python float literal that reads back as `x`: `0.5`, `1e-08`, `-2.0`.
pub fn float(x: f64) -> Expr {
    let text = python_float(x);
    let precedence = if text.starts_with('-') {
        Precedence::Unary
    } else {
        Precedence::Atom
    };
    Expr { text, precedence }
}

/// `x` as Python's `repr` writes it: the shortest digits that read back as `x`, with `.0` on a
/// whole number and an exponent outside 1e-4 … 1e16.
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "float(\"nan\")".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "float(\"inf\")"
        } else {
            "-float(\"inf\")"
        }
        .to_string();
    }
    // Rust's `{:e}` gives the shortest digits; Python's repr places the point by the exponent.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{whole}.{fraction}")
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent = if exponent < 0 {
            format!("-{:02}", -exponent)
        } else {
            format!("+{exponent:02}")
        };
        format!("{sign}{first}{fraction}e{exponent}")
    }
}

/// An exponent: a whole number as an integer (`2`, `-1`), else a float.
fn exponent(p: &BigRational) -> String {
    if p.is_integer() && p.numer().bits() < 32 {
        p.numer().to_string()
    } else {
        python_float(crate::exact::to_f64(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{DeclKind, Model};

    /// Each statement of `source`'s loss, written with parameters on `self`.
    fn lines(source: &str) -> Vec<String> {
        let model: Model = crate::compile(source).0.expect("a valid network");
        let declared = |id: NodeId| match model.graph[id].op {
            Op::Var(decl) => {
                let d = model.declaration(decl);
                Some(match d.kind {
                    DeclKind::Param => format!("self.{}", d.name),
                    _ => d.name.clone(),
                })
            }
            _ => None,
        };
        let named = |id: NodeId| model.graph[id].name.clone();
        let cx = Context::new(&model.graph, &declared, &named);
        statements(&cx, &[model.loss.node])
            .expect("translates")
            .iter()
            .map(|s| format!("{} = {}", s.variable, s.expression))
            .collect()
    }

    #[test]
    fn a_layer_is_the_rows_times_the_transposed_matrix() {
        assert_eq!(
            lines(
                "input x[2]\ntarget y[3]\nparam W[3, 2] ~ zeros\nparam b[3] ~ zeros\n\
                 p = softmax(W @ x + b)\nloss L = cross_entropy(p, y)\n"
            ),
            // The loss reads the log-probabilities, computed stably, not p.
            ["L = -(y * torch.log_softmax(x @ self.W.T + self.b, dim=-1)).sum(dim=1)"]
        );
    }

    #[test]
    fn a_class_number_picks_each_examples_log_probability() {
        assert_eq!(
            lines(
                "input x[2]\ntarget y : index(3)\nparam W[3, 2] ~ zeros\n\
                 loss L = cross_entropy(softmax(W @ x), y)\n"
            ),
            ["L = -torch.log_softmax(x @ self.W.T, dim=-1).gather(1, y[:, None])[:, 0]"]
        );
    }

    #[test]
    fn embeddings_pick_rows_and_join_them() {
        assert_eq!(
            lines(
                "input c1 : index(5)\ninput c2 : index(5)\ntarget t : index(5)\n\
                 param C[5, 2] ~ zeros\nparam W[5, 4] ~ zeros\ne = concat(C[c1], C[c2])\n\
                 loss L = cross_entropy(softmax(W @ e), t)\n"
            ),
            [
                "e = torch.cat([self.C[c1], self.C[c2]], dim=-1)",
                "L = -torch.log_softmax(e @ self.W.T, dim=-1).gather(1, t[:, None])[:, 0]",
            ]
        );
    }

    #[test]
    fn batch_statistics_are_means_over_the_first_axis() {
        let code = lines(
            "input x[2]\ntarget y[2]\nparam g[2] ~ ones\n\
             z = g * x\nmu = batch_mean(z)\nv = batch_var(z, 1)\n\
             loss L = mse((z - mu) / sqrt(v + 0.001), y)\n",
        );
        assert_eq!(
            code,
            [
                "z = self.g * x",
                "mu = z.mean(dim=0)",
                "_t1 = z - mu",
                "v = (_t1 ** 2).mean(dim=0) * (rows / (rows - 1.0))",
                "L = ((_t1 / torch.sqrt(v + 0.001) - y) ** 2).mean(dim=1)",
            ]
        );
    }

    #[test]
    fn a_transposed_matrix_times_each_examples_vector_is_the_rows_times_the_matrix() {
        assert_eq!(
            lines(
                "input x[2]\ntarget y[3]\nparam W[2, 3] ~ zeros\nloss L = mse(transpose(W) @ x, y)\n"
            ),
            ["L = ((x @ self.W - y) ** 2).mean(dim=1)"]
        );
    }

    #[test]
    fn a_value_read_twice_gets_a_temporary() {
        let code = lines(
            "input x\ntarget y\nparam w = 2\nloss L = (w * x - y) ^ 2 + sigmoid(w * x - y)\n",
        );
        assert_eq!(
            code,
            ["_t1 = self.w * x - y", "L = _t1 ** 2 + torch.sigmoid(_t1)"]
        );
    }

    #[test]
    fn each_examples_scalar_meets_a_vector_along_a_new_axis() {
        let code = lines(
            "input s\ninput x[2]\ntarget y[2]\nparam w[2] ~ ones\nloss L = mse(s * x + w, y)\n",
        );
        assert_eq!(
            code,
            ["L = ((s[:, None] * x + self.w - y) ** 2).mean(dim=1)"]
        );
    }

    #[test]
    fn binary_cross_entropy_of_a_sigmoid_is_written_stably() {
        let code = lines(
            "input x[2]\ntarget t\nparam w[2] ~ zeros\n\
             loss L = binary_cross_entropy(sigmoid(sum(w * x)), t)\n",
        );
        assert_eq!(code.len(), 2, "{code:?}");
        assert_eq!(code[0], "_t1 = (self.w * x).sum(dim=1)");
        assert_eq!(
            code[1],
            "L = torch.clamp(_t1, min=0) - _t1 * t + torch.log1p(torch.exp(-torch.abs(_t1)))"
        );
    }

    #[test]
    fn a_convolution_with_a_bias_per_channel_is_one_conv2d_call() {
        assert_eq!(
            lines(
                "input X[1, 4, 4]\ntarget y : index(3)\nparam K[2, 1, 3, 3] ~ zeros\n\
                 param c[2] ~ zeros\nparam W[3, 8] ~ zeros\n\
                 h = relu(conv2d(X, K, c, 1, 1))\np = max_pool(h, 2)\n\
                 loss L = cross_entropy(softmax(W @ flatten(p)), y)\n"
            ),
            [
                "h = torch.relu(torch.nn.functional.conv2d(X, self.K, self.c, stride=1, padding=1))",
                "p = torch.nn.functional.max_pool2d(h, 2)",
                "L = -torch.log_softmax(p.flatten(1) @ self.W.T, dim=-1).gather(1, y[:, None])[:, 0]",
            ]
        );
    }

    #[test]
    fn axes_of_each_examples_values_come_after_the_batch_axis() {
        // Axis 0 of an example's [2, 3, 3] is PyTorch's dim 1; a shared value keeps its axes.
        assert_eq!(
            lines(
                "input X[2, 3, 3]\nparam K[2, 3] ~ zeros\nconst T[3, 3] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]\n\
                 s = sum(X, 0)\nq = softmax(K, 1)\n\
                 loss L = -sum(T * log_softmax(s, 1)) + sum(mean(q, 0)) + sum(avg_pool(X, 3))\n"
            ),
            [
                "s = X.sum(dim=1)",
                "q = torch.softmax(self.K, dim=1)",
                "L = -(T * torch.log_softmax(s, dim=2)).sum(dim=(1, 2)) \
                 + (q.sum(dim=0) / 2.0).sum() + torch.nn.functional.avg_pool2d(X, 3).sum(dim=(1, 2, 3))",
            ]
        );
    }

    #[test]
    fn maps_without_channels_and_shared_maps_get_the_axes_conv2d_wants() {
        assert_eq!(
            lines(
                "input X[3, 3]\nparam K[2, 2] ~ zeros\nparam M[4, 4] ~ zeros\nparam J[2, 2] ~ zeros\n\
                 loss L = sum(conv2d(X, K)) + sum(max_pool(conv2d(M, J, 2, 1), 3))\n"
            ),
            [
                "L = torch.nn.functional.conv2d(X[:, None], self.K[None, None])[:, 0].sum(dim=(1, 2)) \
                 + torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(self.M[None, None], \
                 self.J[None, None], stride=2, padding=1)[0, 0][None], 3)[0].sum()",
            ]
        );
    }

    #[test]
    fn kernels_of_each_example_are_a_group_each() {
        assert_eq!(
            lines(
                "input X[2, 4, 4]\ninput K[3, 2, 2, 2]\nparam w ~ zeros\n\
                 loss L = sum(w * conv2d(X, K))\n"
            ),
            [
                "L = (self.w * torch.nn.functional.conv2d(X.reshape(1, -1, 4, 4), \
                 K.reshape(-1, 2, 2, 2), groups=rows)[0].unflatten(0, (-1, 3))).sum(dim=(1, 2, 3))",
            ]
        );
    }

    #[test]
    fn python_floats_read_back_as_the_same_number() {
        for (x, text) in [
            (0.5, "0.5"),
            (1.0, "1.0"),
            (-2.0, "-2.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (123456.789, "123456.789"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.5e300, "1.5e+300"),
        ] {
            assert_eq!(python_float(x), text);
        }
    }
}
