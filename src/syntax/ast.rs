//! The syntax tree of a .nabla file: what the user wrote, with a span on every piece.
//!
//! Names are not resolved and shapes are not known here; `check` does both. Expression trees are
//! bounded in height (see [`MAX_EXPR_HEIGHT`]) when they are built, so that every later recursive
//! walk over them, and dropping them, stays within the stack.

use num_rational::BigRational;

use crate::span::Span;

/// The tallest expression tree the parser builds. A chain `a + b + c …` is as tall as it is long;
/// nothing a person writes by hand comes near this, and a generated file can name its parts.
pub const MAX_EXPR_HEIGHT: u32 = 256;

#[derive(Clone, Debug, Default)]
pub struct File {
    pub statements: Vec<Statement>,
    /// Statements that could not be parsed (each already has its error).
    pub unparsed: Vec<Unparsed>,
}

/// What can be guessed of a statement that failed to parse, so that later stages do not report
/// its consequences ("unknown name", "no loss") as further errors.
#[derive(Clone, Debug)]
pub struct Unparsed {
    pub span: Span,
    /// The names it seems to define: `h` in `h = sigmoid(x`, `x` in `input x = 1e99999`.
    pub defines: Vec<Ident>,
    /// It starts with the `loss` keyword.
    pub is_loss: bool,
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StatementKind {
    /// `dim n = 4`
    Dim { name: Ident, value: Expr },
    /// `input x[2] = …`, `param W[2, 3] ~ xavier`, …
    Declaration(Declaration),
    /// `h = sigmoid(W @ x)`
    Definition { name: Ident, value: Expr },
    /// `loss E = …`
    Loss {
        keyword: Span,
        name: Ident,
        value: Expr,
    },
    /// `optimizer adam(lr = 0.001)`
    Optimizer {
        name: Ident,
        arguments: Option<Arguments>,
    },
    /// `train(epochs = 100, batch = 16)`
    Train { keyword: Span, arguments: Arguments },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclKind {
    Input,
    Target,
    Param,
    Const,
}

impl DeclKind {
    /// The keyword, as written in a file.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Input => "input",
            DeclKind::Target => "target",
            DeclKind::Param => "param",
            DeclKind::Const => "const",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Declaration {
    pub kind: DeclKind,
    pub keyword: Span,
    pub name: Ident,
    pub shape: Option<ShapeSpec>,
    /// `: index(27)` after the name.
    pub index: Option<IndexSpec>,
    pub init: Option<DeclInit>,
}

/// `: index(N)`: the declaration holds a whole number 0 … N−1.
#[derive(Clone, Debug)]
pub struct IndexSpec {
    /// The type's name as written (the checker insists on `index`).
    pub name: Ident,
    pub arguments: Arguments,
    /// From `:` to `)`.
    pub span: Span,
}

/// `[2, n]` after a declared name.
#[derive(Clone, Debug)]
pub struct ShapeSpec {
    pub dims: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum DeclInit {
    /// `= [0.05, 0.10]`
    Value(Expr),
    /// `= each [[0.05, 0.10], [0.2, 0.3]]`: one value per example of a batch.
    Each { keyword: Span, values: Expr },
    /// `~ uniform(-1, 1)`
    Distribution {
        name: Ident,
        arguments: Option<Arguments>,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub struct Arguments {
    pub items: Vec<Argument>,
    /// From `(` to `)`.
    pub span: Span,
}

/// `lr = 0.5` or just `0.5`.
#[derive(Clone, Debug)]
pub struct Argument {
    pub name: Option<Ident>,
    pub value: Expr,
}

impl Argument {
    pub fn span(&self) -> Span {
        match &self.name {
            Some(name) => name.span.to(self.value.span),
            None => self.value.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    /// For a parenthesised expression, the span includes the parentheses.
    pub span: Span,
    /// Height of the tree below and including this node (a leaf is 1).
    pub height: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    MatMul,
    Pow,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::MatMul => "@",
            BinaryOp::Pow => "^",
        }
    }
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal, already exact: `0.15` is 3/20.
    Number(BigRational),
    Bool(bool),
    Name(Ident),
    Call {
        function: Ident,
        arguments: Arguments,
    },
    Array(Vec<Expr>),
    Neg(Box<Expr>),
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `A'`
    Transpose(Box<Expr>),
    /// `A[i]`
    Pick {
        value: Box<Expr>,
        index: Box<Expr>,
    },
}

impl Expr {
    pub fn leaf(kind: ExprKind, span: Span) -> Expr {
        Expr {
            kind,
            span,
            height: 1,
        }
    }
}
