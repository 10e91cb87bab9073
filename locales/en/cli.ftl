### The command line: how diagnostics are shown, files, options, results.

severity-error = error
severity-warning = warning
help-note = help: { $help }
error-count = { $file }: { $count ->
    [one] { $count } error
   *[other] { $count } errors
}
line-too-long-to-show = at { $place }, on a line of { $length } characters, too long to show; it reads there: `{ $near }…`

## Options that do not fit the file.

wrt-unknown = --wrt { $name }: no input or param is called `{ $name }`; the file declares: { $known }
wrt-not-a-variable = --wrt { $name }: `{ $name }` is { $kind }; gradients are taken with respect to inputs and params
wrt-an-index = --wrt { $name }: `{ $name }` is an index (a whole number 0 … { $most }), which has no gradient
internal-differentiating = internal error while differentiating ({ $error }); please report it with this file
form-scalar-too-many = --form scalar writes one line per parameter element, and this gradient has { $count }; pick a few with --wrt, or use the vector form
form-scalar-too-large = this network is too large for the scalar form; use the vector form
scalar-form-unsupported-index = the scalar form writes a chain for every element, and this network picks by an index (which elements it uses depends on the index's value); use the vector form
scalar-form-unsupported-batch = the scalar form writes a chain for every element of one example, and this network looks across a batch; use the vector form
scalar-form-unsupported-max-pool = the scalar form writes a chain for every element, and this network has max pooling (where each window's gradient goes depends on the values); use the vector form, which works each window
scalar-form-unsupported-axis = the scalar form writes a chain for every element, and this network has softmax or log_softmax along an axis; use the vector form, which works it line by line
form-scalar-too-many-values = --form scalar is for small networks (at most { $most } parameter values); use --form vector or pick some with --wrt
steps-without-params = --steps trains the file's params, and this file has none
explain-too-large-to-draw = explain works a step through by hand, and { $names } { $count ->
    [one] is
   *[other] are
} too large to draw ({ $most } values at most per parameter); use nabla derive for the formulas, or a generated trainer
explain-needs-values = explain needs a value for everything the loss uses; these have none: { $names }
    give them values in the file (`input x[2] = [0.5, 1]`)

explain-too-many-rows = explain works a step through by hand, and { $rows } rows are a batch too large to read that way (at most { $most }); pick some with --rows
explain-too-large = explain works out every number of a step exactly, and this one asks for about { $numbers } of them ({ $largest } alone holds { $size }), more than the { $most } it works through in a few seconds: use nabla derive for the formulas (they do not depend on the sizes; --wrt NAME for one value), explain on smaller sizes to see the same steps with numbers, or nabla gen to train the network
explain-statistics-of-one-row = the network uses batch statistics, and one example has no spread to measure (its variance is 0): take several rows of the data file
form-scalar-of-a-batch = --form scalar works one example element by element; a batch is shown a layer at a time (--form vector)

## Files.

cannot-read = cannot read { $path }: { $why }
cannot-create = cannot create { $path }: { $why }
cannot-write = cannot write { $path }: { $why }
cannot-write-output = cannot write the output: { $why }
no-such-file = no such file
permission-denied = permission denied
is-a-directory = it is a directory
source-too-large = { $name } is larger than { $megabytes } MB; is it really a .nabla file?
at-place = { $place }: { $message }
data-not-text = { $place }: not a text file (byte { $byte } is not UTF-8)
rows-beyond-the-file = --rows { $rows }: { $path } has { $count ->
    [one] { $count } row
   *[other] { $count } rows
} of data (1 to { $count })
rows-not-a-range = --rows { $rows }: expected rows counted from 1, as `3` or `1..4` (both ends included)
rows-reversed = --rows { $rows }: the first row comes after the last; write `{ $range }`
weights-not-json = { $path } is not valid JSON: { $why }
weights-not-an-object = { $path }: expected an object {"{"}"W1": [[…], …], …{"}"} keyed by parameter name
weights-not-a-param = { $path }: `{ $name }` is not a param of this network (its params: { $params })
weights-not-numbers = { $path }: `{ $name }` holds something other than numbers
weights-wrong-shape = { $path }: `{ $name }` should have shape { $shape }, but has { $found }
weights-inexact = { $path }: `{ $name }` holds a number nabla cannot read exactly

## Results.

progress-steps = steps
cannot-generate = cannot generate a trainer: { $why }
destination-not-empty = { $path } is not empty; use --force to write the project there anyway (nabla then replaces only the files it writes and leaves everything else alone)
destination-not-a-directory = { $path } exists and is not a directory
wrote-project = wrote the trainer project `{ $package }` to { $path }: { $files } files
wrote-project-unchanged = wrote the trainer project `{ $package }` to { $path }: { $files } files ({ $unchanged } unchanged)
train-it-with = train it with: { $command }

## What nabla gen refuses.

gen-no-parameters = the network has no `param` to train; declare the values training should change with `param`
gen-loss-ignores-parameters = the loss depends on no `param` (every gradient is exactly 0), so training would change nothing
gen-no-columns = the network has no `input` or `target`, so a data file would have no columns
gen-unsupported = generated trainers do not compute { $what } yet; `nabla derive` and `nabla explain` work with it
gen-too-large-for = { $what } is too large for { $type }
gen-the-value-of = the value of `{ $name }`
gen-the-range-of = the range of `{ $name }`
gen-the-distribution-of = the distribution of `{ $name }`
gen-an-optimizer-setting = a setting of the optimizer
gen-too-many-columns = a data row of this network has { $columns } columns; nabla gen makes trainers of at most { $most } (the trainer lists the columns' names in its source, which then takes minutes to build)
gen-parameters = { $count } parameters
gen-elements-in-one-value = { $count } elements in one value
gen-trainer-too-large = the trainer of this network would hold { $what } ({ $memory } as f32, several times over); nabla gen makes trainers of at most { $most }
gen-must-be-more-than-0 = must be more than 0
gen-must-be-less-than-1 = must be less than 1
gen-setting-rounds = { $what } = { $value } is { $rounded } in { $type }, the trainer's number type, but { $must }
gen-a-number-in-the-file = a number in the file

## Rows of a data file (explain --data), read by the trainers' rules.

data-empty = the file is empty: it has no rows of data
data-header-only = the file has a header but no rows of data
data-unclosed-quote = a quoted cell has no closing `"`
data-row-length = a row of { $count ->
    [one] { $count } column
   *[other] { $count } columns
}, but the network's rows have { $full } ({ $columns })
data-row-length-or-class = a row of { $count ->
    [one] { $count } column
   *[other] { $count } columns
}, but the network's rows have { $full }, or { $class } with the target as one class column ({ $columns })
data-empty-cell = the cell is empty
data-not-finite = `{ $cell }` is not a finite number
data-not-a-number = `{ $cell }` is not a number
data-not-an-index = `{ $cell }` is not an index: { $name } takes whole numbers 0 to { $most }
data-the-class-of = the class of { $name }
data-class-missing = the class is missing
data-not-a-class = `{ $cell }` is not a class: classes are numbered 0 to { $most }
data-not-a-class-number = `{ $cell }` is not a class number, and the first row's class is a number
data-class-too-many = `{ $cell }` would be a class too many: the target has { $classes } classes, { $labels }
data-in-named-column = { $what } (column `{ $column }`: { $holds })
data-in-column = { $what } ({ $holds })
