### Diagnostics of checking a network: names, shapes, calls, constants.

## Shapes, as messages name them.

a-scalar = a scalar
a-vector = a vector { $dims }
a-matrix = a matrix { $dims }
a-tensor = a tensor { $dims }
scalar = scalar
a-matrix-of-any-size = a matrix
a-vector-of-any-size = a vector
verbatim = { $text }
shape-here = { $shape } here
the-first-is = the first is { $shape }
rows = { $count ->
    [one] { $count } row
   *[other] { $count } rows
}
elements = { $count ->
    [one] { $count } element
   *[other] { $count } elements
}

## Names.

unknown-name = unknown name `{ $name }`
unknown-name-label = not declared or defined anywhere in this file
is-a-function-help = `{ $name }` is a function: call it as `{ $name }(…)`
declare-it-help = declare it, e.g. `input { $name }[…]` or `param { $name }[…] = …`, or define it: `{ $name } = …`
unknown-function = unknown function `{ $name }`
unknown-function-label = not a function of the language
is-a-value-help = `{ $name }` is a value, not a function; to multiply, write `{ $name } * (…)`
functions-are = the functions are: { $names }
is-not-declared = `{ $code }` is not declared
name-is = `{ $name }` is { $what }
declared-kind = { $kind ->
    [input] an input
    [target] a target
    [param] a param
   *[const] a const
}
a-computed-value = a computed value

## Operators and shapes.

shape-mismatch = shape mismatch in `{ $code }`: { $left } { $operator } { $right }
elementwise-needs-equal-shapes = elementwise `{ $operator }` needs equal shapes, or a scalar on one side
columns-but-rows = `{ $left }` has { $columns } columns, but `{ $right }` has { $rows } rows
matmul-by-a-scalar = `@` multiplies by a vector or a matrix
matmul-by-a-scalar-help = to scale every element, use `*`
matmul-left-side = the left side of `@` must be a matrix
matmul-right-side = the right side of `@` must be a vector or a matrix
dot-product-help = for a dot product, write `{ $code }`
operator-takes = `{ $operator }` takes { $wants }, but `{ $name }` is { $shape }
vector-needs-no-transpose = a vector needs no transpose: `W @ x` treats it as a column
picks-from-by = `{ $code }` picks from { $from } by { $by }
what-pick-does-by-an-index = `A[i]` picks a row of a matrix or an element of a vector by an index
concat-joins-vectors-not = `concat` joins vectors, but here are { $left } and { $right }
expected-vectors-or-scalars = expected vectors or scalars
does-not-fit = `{ $code }` does not fit { $shape }
division-by-zero = division by zero
division-by-zero-label = this is exactly zero
power-too-large = this power is too large to compute exactly
power-too-large-label = nabla computes exact powers of up to { $bits } bits

## Calls.

arguments-without-names = `{ $function }` takes its arguments in order, without names
arguments-without-names-label = remove this name and its `=`
arguments-exactly = { $count ->
    [one] { $count } argument
   *[other] { $count } arguments
}
arguments-between = { $least } or { $most ->
    [one] { $most } argument
   *[other] { $most } arguments
}
arguments-at-least = { $least ->
    [one] { $least } argument or more
   *[other] { $least } arguments or more
}
wrong-argument-count = `{ $function }` takes { $takes }, but { $given ->
    [one] { $given } was given
   *[other] { $given } were given
}
expected-form = expected `{ $form }`
concat-joins-vectors = `concat` joins vectors, but `{ $name }` is { $shape }
shape-mismatch-in-call = shape mismatch in `{ $function }`: { $left } and { $right }
compares-same-shapes = `{ $function }` compares two values of the same shape
booleans-are-not-numbers = true and false are not numbers
expected-a-number = expected a number
booleans-are-not-numbers-help = true and false only set switches such as `train(shuffle = false)`

## Indices and batches.

picks-by-an-index = `{ $value }[…]` picks by an index, but `{ $index }` is { $shape }, not an index
expected-a-declared-index = expected a declared index
picks-by-an-index-help = declare the whole number that picks, e.g. `input c : index(27)`, and write `C[c]`
nothing-to-pick-from = `{ $value }` is a scalar: there is nothing to pick from
what-pick-does = `[…]` picks a row of a matrix or an element of a vector
index-goes-beyond = `{ $name }` goes up to { $most }, but `{ $value }` has { $has }
an-index-up-to = an index 0 … { $most }
index-is-not-a-value = `{ $name }` is an index, a whole number 0 … { $most }, not a value to compute with
operator-of-an-index = `{ $operator }` of an index
index-is-not-a-value-help = an index picks a row, `C[{ $name }]`, or names a class, `cross_entropy(p, { $name })`
same-in-every-example = `{ $function }` looks across the examples of a batch, but `{ $value }` is the same in every example
depends-on-no-input = depends on no input or target
same-in-every-example-help = `{ $function }` is for values computed from the inputs, such as a layer's net input
the-correction-of-batch-var = the correction of `batch_var`
correction-is-0-or-1 = the correction of `batch_var` is 0 or 1
correction-is-0-or-1-help = `batch_var(v)` divides by m, `batch_var(v, 1)` by m − 1 (as torch.var(correction=1))
probabilities = { $count } probabilities
probabilities-for-classes = shape mismatch in `{ $function }`: { $probabilities } for a class number 0 … { $most }
one-probability-per-class = `{ $function }` with a class number takes one probability per class
targets-not-an-index = `{ $function }` takes targets 0 or 1 as numbers, but `{ $value }` is an index
a-class-number = a class number
targets-not-an-index-help = for a class number, use `cross_entropy(softmax(z), y)`

## Arrays and constants.

empty-array = an empty array has no shape
empty-array-label = write at least one element
array-of-constants = an array may only hold numbers and exact expressions of numbers
array-of-constants-label = this element is not a constant
array-of-one-shape = the elements of an array must all have the same shape
array-too-deep = an array nests at most four levels deep
array-too-deep-label = this would be a value of five dimensions
array-too-deep-help = values are scalars, vectors [n], matrices [m, n] and tensors of three or four dimensions, such as [C, H, W] images and [F, C, kh, kw] kernels
the-exponent = the exponent of `^`
must-be-exact = { $what } must be exact
must-be-exact-label = this has no exact value
must-be-exact-help = use numbers, `dim`s and `const`s with + - * / and integer powers
must-be-a-single-number = { $what } must be a single number
must-be-a-constant = { $what } must be a constant, but `{ $name }` is not
must-be-a-constant-help = only numbers, `dim`s and `const`s with a value can appear here

## Declarations and sizes.

what-a-dim = a `dim`
what-a-size = a size
what-a-declared-value = a declared value
what-an-example-value = an example's value
what-an-index-count = the number of values of an index
size-must-be-a-count = a size must be a whole number, 1 or more
too-many-dimensions = a value has at most four dimensions, but this shape has { $count }
too-many-dimensions-label = expected `[n]`, `[m, n]`, `[C, H, W]` or `[F, C, kh, kw]`
empty-shape = an empty shape
empty-shape-label = write the size, or leave out the brackets for a scalar
shape-too-large = a value of shape { $shape } would have { $elements } elements
shape-too-large-label = { $memory } of memory as f32; nabla handles at most { $most } elements per value
bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
param-needs-a-value = param `{ $name }` needs a starting value
no-starting-value = no starting value given
param-needs-a-value-help = for example `param W[2, 2] = [[…], […]]` or `param W[2, 2] ~ xavier`
const-needs-a-value = const `{ $name }` needs a value
no-value = no value given
const-needs-a-value-help = for example `const c = 0.5`
only-params-are-drawn = only a param is drawn at random, but `{ $name }` is { $kind }
an-initializer-here = an initializer here
only-params-are-drawn-help = give { $name } a value with `= …`
value-does-not-fit = the value of `{ $name }` does not fit its declared shape { $shape }
declared-shape = declared { $shape }
value-does-not-fit-help = write every element; a parameter can start from `~ zeros` or `~ ones`
xavier-needs-a-matrix = xavier and he need a matrix or a kernel, but `{ $name }` is { $shape }
xavier-needs-a-matrix-label = no fan-in and fan-out to scale by
xavier-needs-a-matrix-help = a bias vector usually starts from `~ zeros`
unknown-kind-of-value = unknown kind of value `{ $name }`
unknown-kind-of-value-help = `{ $name } : index(N)` declares a whole number 0 … N−1; for numbers, give a shape: `{ $name }[n]`
only-inputs-are-indices = only an input or a target can be an index, but `{ $name }` is { $kind }
only-inputs-are-indices-label = an index comes with each example
only-inputs-are-indices-help = declare the class or token number as `input c : index(N)` or `target y : index(N)`
index-takes-a-count = expected `index(N)`: how many values the index can take
an-index-is-one-number = an index is one whole number
not-a-whole-number = not a whole number 0 or more
out-of-range = out of range
index-value-out-of-range = `{ $name }` is an index({ $count }), a whole number 0 … { $most }, but this is { $value }

## Batches of examples.

each-is-for-inputs = `each` gives one value per example, but `{ $name }` is { $kind }: one value shared by every example
each-is-for-inputs-label = only inputs and targets differ from example to example
each-is-for-inputs-help = give `{ $name }` one value: `= …`
each-needs-a-list = `each` is followed by a list of the examples' values
each-needs-a-list-label = expected `[v₁, v₂, …]`, one value per example
each-needs-a-list-help = for example `{ $code }` for two examples
example-does-not-fit = example { $number } of `{ $name }` does not fit its shape { $shape }
example-1-is = example 1 is { $shape }
examples = { $count ->
    [one] { $count } example
   *[other] { $count } examples
}
values-here = { $count ->
    [one] { $count } value here
   *[other] { $count } values here
}
examples-disagree = `{ $name }` gives { $count } but `{ $first }` gives { $first_count }
examples-disagree-help = every `each` lists the same examples, one value for each
one-example-beside-each = `{ $name }` gives the value of one example, but `{ $first }` gives { $first_count }
one-example-beside-each-help = give `{ $name }` a value per example: `= each […]`
statistic-of-one-example = a batch statistic over a single example
statistic-of-one-example-label = looks across the examples of a batch
statistic-of-one-example-note = the file gives the values of one example: over one example a variance is 0, and normalizing by it divides by zero
statistic-of-one-example-help = give several examples with `each`: `input x[2] = each [[…], […], […]]`

## The file as a whole.

loss-not-scalar = the loss must be a single number, but `{ $name }` is { $shape }
loss-not-scalar-help = reduce it to a scalar, e.g. `sum({ $code })` or `mean({ $code })`
second-loss = a second loss
second-loss-label = a file has exactly one loss
second-loss-note = the loss is defined here
second-loss-help = to combine them, define this one as a value (`{ $name } = …`) and add it to the loss
second-line = a second `{ $keyword }` line
only-one-allowed = only one is allowed
the-first-is-here = the first is here
no-statements = this file describes no network: it has no statements
no-statements-label = expected declarations, definitions and a loss
no-statements-help = start from an example, e.g. `nabla check examples/xor.nabla`
no-loss = this file has no loss
no-loss-label = expected a `loss` line by the end of the file
no-loss-help = add the value to minimize, e.g. `loss E = sum((o - y)^2)`
never-used = { $kind } `{ $name }` is never used by the loss `{ $loss }`
unused-param-label = its gradient is always zero, so training never changes it
declared-here = declared here
computed-but-unused = `{ $name }` is computed but the loss `{ $loss }` does not use it
defined-here = defined here
defined-twice = `{ $name }` is defined twice
defined-again-here = defined again here
first-defined-here = first defined here
defined-twice-help = give each value its own name
defined-by-itself = `{ $name }` is defined in terms of itself
defined-by-itself-through = `{ $name }` is defined in terms of itself: { $chain }
defined-by-itself-label = this definition depends on itself
defined-by-itself-help = a value must be computable from inputs, parameters and constants
part-of-the-cycle = `{ $name }` is part of the cycle

## Values that have none.

log-of-non-positive = log of a value that is not positive
log-of-non-positive-always = this is the log of 0 or less, whatever the data and the parameters
log-of-non-positive-here = with the given values this takes the log of 0 or less
sqrt-of-negative = square root of a negative value
sqrt-of-negative-always = this is negative, whatever the data and the parameters
sqrt-of-negative-here = with the given values this is negative
division-by-zero-always = this divides by exactly zero, whatever the data and the parameters
division-by-zero-here = with the given values this divides by exactly zero
too-large-to-compute = a value too large to compute exactly
power-too-large-here = this exact power would be too large
expression-is-nan = with the given values, this expression is not a number (NaN)
expression-is-infinite = with the given values, this expression is infinite
gradient-is-nan = with the given values, the gradient at this expression is not a number (NaN)
gradient-is-infinite = with the given values, the gradient at this expression is infinite
first-non-finite-forward = first non-finite value, in the forward pass
first-non-finite-backward = first non-finite value, in the backward pass
in-example = { $message }, in example { $example }
exp-overflows = exp overflows float64 for arguments above about 709
log-underflows = its argument is 0 in float64 (a tiny value underflowed, like σ(−1000)); for probabilities, cross_entropy or log_softmax of the logits stays finite
divisor-underflows = the divisor is 0 in float64
power-overflows = the power overflows float64, or raises 0 to a negative power
float64-range = float64 holds magnitudes up to about 1.8e308; check the values given to this expression
one-example = one example

## The computational graph's names of operations a file does not write.

graph-onehot = one-hot
graph-slice = slice
graph-binary-cross-entropy = binary cross-entropy
graph-broadcast = broadcast
graph-outer = outer

## Tensors: convolution, pooling, axes.

arguments-conv2d = 2, 4 or 5 arguments
conv-shapes = `conv2d` takes an input [C, H, W] with kernels [F, C, kh, kw], or [H, W] with [kh, kw], but `{ $input }` is { $input_shape } and `{ $kernel }` is { $kernel_shape }
conv-shapes-label = an input and kernels that do not go together
conv-channels-label = the input has { $input ->
    [one] { $input } channel
   *[other] { $input } channels
}, but each kernel takes { $kernel }
conv-kernel-too-large = in `{ $code }`, a { $kernel } kernel does not fit in the { $padded } input{ $padding ->
    [0] {""}
   *[other] {" "}(with its padding)
}
conv-kernel-too-large-label = the kernel must fit inside its input
conv-kernel-too-large-help = pad the input (`conv2d(X, K, stride, padding)`) or take a smaller kernel
conv-stride = in `{ $code }`, a stride of { $stride } does not fit: the kernel moves { $rows ->
    [one] { $rows } row
   *[other] { $rows } rows
} and { $cols ->
    [one] { $cols } column
   *[other] { $cols } columns
} past its first position, and both must be multiples of the stride
conv-stride-label = the last rows or columns of the input would be left out
conv-stride-help = choose a stride that divides { $rows } and { $cols }, or change the padding
conv-bias = the bias of `conv2d` is one value per output channel, { $expected }, but `{ $bias }` is { $shape }
pool-windows = `{ $function }` takes { $k }×{ $k } windows, which do not tile { $shape }
pool-windows-label = its last two sizes must be multiples of { $k }
pool-needs-maps = `{ $function }` takes a value of two dimensions or more ([H, W], [C, H, W]), but `{ $name }` is { $shape }
axis-out-of-range = `{ $function }` along axis { $axis }, but `{ $name }` is { $shape }, whose axes are 0 to { $last }
axis-of-a-scalar = `{ $function }` along axis { $axis }, but `{ $name }` is a scalar, which has no axes
axis-label = axes are counted from 0
the-stride = the stride of `conv2d`
the-padding = the padding of `conv2d`
the-window = the window of `{ $function }`
the-axis = the axis of `{ $function }`
must-be-a-whole-number = { $what } must be a whole number, { $least } or more
