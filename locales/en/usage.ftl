### The command line itself: nabla's help (`nabla --help`, `nabla COMMAND --help`, `nabla help`)
### and what it says when the command line is wrong. Names of options and values (`--format`,
### `html`) are the interface and stay as they are in every language.

## Headings and signs of the help.

usage-heading = Usage:
usage-commands-heading = Commands
usage-arguments-heading = Arguments
usage-options-heading = Options
usage-options-placeholder = OPTIONS
usage-possible-values-heading = Possible values:
usage-default = [default: { $value }]
usage-possible-values = [possible values: { $values }]
usage-help = Print help (see more with '--help')
usage-help-long = Print help (see a summary with '-h')
usage-version = Print version

## What each command does.

usage-about = Write a neural network in a small language, and see how it learns
usage-about-check = Parse and check a .nabla file, and summarize the network it describes
usage-about-derive = Derive the gradient of the loss by the chain rule, and print the formulas
usage-about-graph = Draw the computational graph: Graphviz DOT, or SVG
usage-about-explain = Work through one training step: forward pass, loss, backward pass, update
usage-about-gen = Generate a training program for the network: a standalone Rust project (Cargo), or with --target pytorch a Python one
usage-about-completions = Print a shell completion script for nabla (see README.md for where to put it)
usage-about-man = Print a manual page (roff): nabla's, or with COMMAND, that command's (nabla-COMMAND)
usage-about-help = Print this message or the help of the given command

## The placeholders of values (`--format <FORMAT>`).

usage-value-command = COMMAND
usage-value-file = FILE
usage-value-format = FORMAT
usage-value-form = FORM
usage-value-when = WHEN
usage-value-language = LANG
usage-value-names = NAMES
usage-value-number = N
usage-value-weights = WEIGHTS.json
usage-value-data = DATA.csv
usage-value-directory = DIR
usage-value-type = TYPE
usage-value-project = PROJECT
usage-value-name = NAME
usage-value-shell = SHELL

## What each option and argument is for.

usage-color = When to colour diagnostics and the headings of text results
usage-color-auto = On a terminal, unless NO_COLOR is set
usage-color-always = Also when writing to a file or a pipe
usage-color-never = Not even on a terminal
usage-lang = The language of everything nabla writes. Default: Vietnamese when the locale (LC_ALL, LC_MESSAGES or LANG, the first that is set) starts with `vi`, else English
usage-lang-en = English
usage-lang-vi = Vietnamese (tiếng Việt)
usage-file = The .nabla file, or `-` for standard input
usage-derive-wrt = Take the gradient with respect to these inputs or parameters (comma-separated). Default: every param; in a file without params, every input
usage-explain-wrt = Take the gradient with respect to these inputs or parameters (comma-separated)
usage-format = Output format
usage-format-ipynb = A Jupyter notebook: the worked step, with PyTorch code that checks it
usage-derive-form = Vector form (one line per layer) or scalar form (one line per parameter element)
usage-form-vector = A layer at a time
usage-form-scalar = Element by element
usage-digits = Significant digits of rounded numbers
usage-explain-form = Element by element (scalar form) or a layer at a time (vector form); default: scalar for small networks
usage-steps = Also run N steps of gradient descent and show the loss after each
usage-gradcheck = Check every derived gradient against a central finite difference
usage-weights = Start from these parameter values (JSON saved by a generated trainer's --save)
usage-data = Take the examples from rows of this CSV file (a generated trainer's columns) instead of the values the .nabla file gives
usage-rows = The rows of the data file: `A..B` (counted from 1, both ends included) or one row `A`; all of them without it
usage-out = The directory to write the project into (created if missing)
usage-dtype = The number type the trainer computes in (for PyTorch: the default of its `--dtype`)
usage-target = The project to write
usage-target-rust = A standalone Rust trainer (a Cargo project, no dependencies)
usage-target-pytorch = A Python project that trains the network with PyTorch
usage-name = The Cargo package (and program) name. Default: the file's name
usage-force = Write into a directory that is not empty, replacing the files nabla writes (and no others)
usage-shell = The shell to complete in
usage-man-command = The command whose page to print
usage-help-command = The command whose help to print

## When the command line is wrong.

usage-unexpected-argument = unexpected argument '{ $argument }' found
usage-unexpected-value = unexpected value '{ $value }' for '{ $argument }' found; no more were expected
usage-missing-arguments = the following required arguments were not provided:
usage-missing-command = '{ $command }' requires a subcommand but one was not provided
usage-commands-list = [subcommands: { $commands }]
usage-unknown-command = unrecognized subcommand '{ $command }'
usage-invalid-value = invalid value '{ $value }' for '{ $argument }'
usage-invalid-value-because = invalid value '{ $value }' for '{ $argument }': { $why }
usage-missing-value = a value is required for '{ $argument }' but none was supplied
usage-used-twice = the argument '{ $argument }' cannot be used multiple times
usage-conflict = the argument '{ $argument }' cannot be used with { $others }
usage-not-utf8 = invalid UTF-8 was detected in one or more arguments
usage-wrong-number-of-values = '{ $argument }' takes { $expected } values, but { $count ->
    [one] { $count } was
   *[other] { $count } were
} provided
usage-cannot-read = the command line cannot be read: { $why }
usage-whole-number = expected a whole number (0, 1, 2 …)
usage-whole-number-between = expected a whole number from { $least } to { $most }
usage-tip = tip: { $tip }
usage-similar-argument = a similar argument exists: '{ $argument }'
usage-similar-command = { $count ->
    [one] a similar subcommand exists
   *[other] some similar subcommands exist
}: { $commands }
usage-similar-value = a similar value exists: '{ $value }'
usage-pass-as-value = to pass '{ $argument }' as a value, use '{ $written }'
usage-option-of-command = '{ $written }' exists
usage-remove-double-dash = subcommand '{ $command }' exists; to use it, remove the '--' before it
usage-more-information = For more information, try '{ $help }'.

## The sections of a manual page (`nabla man`).

usage-man-name = NAME
usage-man-synopsis = SYNOPSIS
usage-man-description = DESCRIPTION
usage-man-version = VERSION
