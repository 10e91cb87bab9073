//! The numbers a model starts from: the file's constants and literal arrays, and the starting
//! values of the parameters (the file's, or drawn from the seeded generator).

use super::super::expr::float_literal;
use super::super::layout;
use super::text::{boxed_type, const_item, doc, exact_literal, flat, initializer_text, value_text};
use super::{Feature, Network, Role};
use crate::init::{Draw, draw_of};
use crate::ir::{Init, Op};
use crate::shape::Shape;

/// The file's `const`s the loss reads, the literal arrays of its expressions, and the starting
/// values the file gives tensor parameters.
pub struct Constants;

impl Feature for Constants {
    fn needed(&self, n: &Network) -> bool {
        !self.items(n).is_empty()
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let (model, plan) = (n.model, n.plan);
        let dtype = plan.dtype;
        let mut items = Vec::new();
        for c in &plan.constants {
            let Some(Init::Value(value)) = &model.declaration(c.decl).init else {
                continue;
            };
            let mut item = doc(0, &format!("{} = {}", c.name, value_text(value)));
            item.push_str(&const_item(&c.ident, value.data(), c.shape, dtype));
            items.push(item);
        }
        for &node in &plan.arrays {
            let (Op::Literal(value), Some(name)) = (&plan.graph()[node].op, plan.path(node)) else {
                continue;
            };
            let mut item = doc(
                0,
                &format!("A constant of the network: {}", value_text(value)),
            );
            item.push_str(&const_item(name, value.data(), value.shape(), dtype));
            items.push(item);
        }
        if n.role == Role::Whole {
            for param in &plan.params {
                let d = &param.declared;
                let (Some(Init::Value(value)), Some(name)) =
                    (&model.declaration(d.decl).init, &param.start)
                else {
                    continue;
                };
                if d.shape.is_scalar() {
                    continue;
                }
                let mut item = doc(0, &format!("The starting value of `{}`.", d.name));
                item.push_str(&const_item(name, value.data(), d.shape, dtype));
                items.push(item);
            }
        }
        items
    }
}

/// Whether some starting value is drawn from the seeded generator.
pub fn drawn(n: &Network) -> bool {
    n.plan.params.iter().any(|param| {
        let d = &param.declared;
        match &n.model.declaration(d.decl).init {
            Some(Init::Random(initializer)) => matches!(
                draw_of(initializer, d.shape),
                Draw::Uniform { .. } | Draw::Normal { .. }
            ),
            _ => false,
        }
    })
}

/// `Params::initial`: the starting values, as `nabla` draws them. Only in `model.rs`: a thread of
/// a cut step starts from its share of the whole network's.
pub struct StartingValues;

impl Feature for StartingValues {
    fn needed(&self, n: &Network) -> bool {
        n.role == Role::Whole
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let (model, plan) = (n.model, n.plan);
        let dtype = plan.dtype;
        let mut statements = Vec::new();
        for (index, param) in plan.params.iter().enumerate() {
            let mut body = String::new();
            let d = &param.declared;
            // A parameter stored transposed is drawn (or given) in the file's layout, then
            // transposed into its field.
            let transposed = plan.stored_transposed[index];
            let field = format!("p.{}", d.ident);
            let drawn = match &model.declaration(d.decl).init {
                Some(Init::Random(initializer)) => matches!(
                    draw_of(initializer, d.shape),
                    Draw::Uniform { .. } | Draw::Normal { .. }
                ),
                _ => false,
            };
            let path = if transposed && drawn {
                if let Shape::Matrix(_, k) = d.shape {
                    body.push_str(&format!(
                        "        let mut drawn: {} = zeroed([0.0; {k}]);\n",
                        boxed_type(d.shape)
                    ));
                }
                "drawn".to_string()
            } else {
                field.clone()
            };
            let transpose = format!("        kernels::transpose(&mut {field}, &drawn);\n");
            match &model.declaration(d.decl).init {
                Some(Init::Value(value)) if d.shape.is_scalar() => {
                    body.push_str(&format!(
                        "        {field} = {};\n",
                        exact_literal(&value.data()[0], dtype)
                    ));
                }
                Some(Init::Value(_)) => {
                    let name = param.start.clone().unwrap_or_default();
                    body.push_str(&if transposed {
                        format!("        kernels::transpose(&mut {field}, &{name});\n")
                    } else {
                        format!("        *{field} = {name};\n")
                    });
                }
                Some(Init::Random(initializer)) => {
                    body.push_str(&layout::comment(
                        8,
                        &format!("{} ~ {}", d.name, initializer_text(initializer, d.shape)),
                    ));
                    let slice = flat(&path, d.shape, true);
                    match draw_of(initializer, d.shape) {
                        Draw::Constant(0.0) => {}
                        Draw::Constant(value) => {
                            let value = float_literal(value, dtype);
                            body.push_str(&if d.shape.is_scalar() {
                                format!("        {field} = {value};\n")
                            } else {
                                let fill = format!("{}.fill({value})", flat(&field, d.shape, true))
                                    .replace("&mut ", "")
                                    .replace("[..].fill", ".fill");
                                layout::chain(8, &fill, ";\n")
                            });
                        }
                        draw => {
                            let (fill, a, b) = match draw {
                                Draw::Uniform { low, high } => ("rng.fill_uniform", low, high),
                                Draw::Normal { mean, std } => ("rng.fill_normal", mean, std),
                                Draw::Constant(_) => unreachable!("matched above"),
                            };
                            let args = [slice, format!("{a:?}"), format!("{b:?}")];
                            body.push_str(&layout::call(8, "", fill, &args, ";\n"));
                            if transposed {
                                body.push_str(&transpose);
                            }
                        }
                    }
                }
                Some(Init::Each(_)) | None => {}
            }
            statements.push(body);
        }
        // A family's members drawn one after another, as one loop.
        let texts: Vec<&str> = statements.iter().map(String::as_str).collect();
        let mut body: String = super::rolled::roll(&texts, &plan.families, 8)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        for statistic in &plan.statistics {
            let start = statistic.kind.start();
            if start == 0.0 {
                continue;
            }
            let field = format!("p.{}", statistic.ident);
            let value = float_literal(start, dtype);
            body.push_str(&layout::comment(
                8,
                &format!("{} starts at {value}, as PyTorch's does", statistic.name),
            ));
            body.push_str(&match plan.graph()[statistic.node].shape {
                Shape::Scalar => format!("        {field} = {value};\n"),
                Shape::Vector(_) => format!("        {field}.fill({value});\n"),
                Shape::Matrix(..) => format!("        {field}.as_flattened_mut().fill({value});\n"),
                shape => layout::chain(
                    8,
                    &format!("{}.fill({value})", flat(&field, shape, true)),
                    ";\n",
                ),
            });
        }
        let changes = body
            .lines()
            .any(|line| !line.trim_start().starts_with("//"));
        let (signature, start) = if drawn(n) {
            (
                "pub fn initial(seed: u64) -> Params {",
                "        let mut rng = Rng::new(seed);\n        let mut p = Params::zeros();\n",
            )
        } else if changes {
            (
                "pub fn initial() -> Params {",
                "        let mut p = Params::zeros();\n",
            )
        } else {
            // Every parameter starts at zero: nothing changes `p`.
            (
                "pub fn initial() -> Params {",
                "        let p = Params::zeros();\n",
            )
        };
        let source = if drawn(n) {
            "the file's values, or drawn from the seeded generator"
        } else {
            "the file's values"
        };
        vec![format!(
            "impl Params {{\n    /// The starting values, parameter by parameter in the file's order, as `nabla` gives\n    \
             /// them: {source}.\n    {signature}\n{start}{body}        p\n    }}\n}}\n"
        )]
    }
}
