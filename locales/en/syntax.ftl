### Diagnostics of reading a file: text, brackets, statements, numbers.

not-utf8 = this is not UTF-8 text: byte 0x{ $byte } cannot start a character
not-utf8-label = not valid UTF-8
not-utf8-help = a .nabla file is plain text; save it as UTF-8

malformed-statement = nabla could not read this statement
malformed-statement-label = the parser accepted it, but its tree was not the expected shape
report-bug-help = this is a bug in nabla; please report it with this file

unclosed-bracket = this `{ $bracket }` is never closed
unclosed-bracket-label = opened here, expected a matching `{ $closer }`
nested-too-deeply = brackets are nested too deeply: more than { $most } levels
nested-too-deeply-label = level { $level } opens here
nested-too-deeply-help = give inner parts a name of their own: `inner = …` on a line before

exponent-out-of-range = this number's exponent is out of range
exponent-out-of-range-label = the exponent must lie between -{ $most } and { $most }
chain-too-long = this expression is too long: more than { $most } operations in one chain
chain-too-long-help = give parts of it names of their own, one per line: `part = …`
statement-too-complex = this statement is too complex to parse
statement-too-complex-help = split it into several named parts, one per line

## What the parser expected, and what it found.

expected-found = expected { $expected }, found { $found }
expected-a-statement = a statement
expected-a-name = a name
expected-a-shape = a shape such as `[2, 3]`
expected-an-expression = an expression
expected-an-operator = an operator
expected-the-end-of-the-line = the end of the line
expected-something-else = something else
code = `{ $code }`
expected-or = { $init } or { $last }
found-invisible = the invisible character U+{ $code }

look-alike-help = this is the look-alike character U+{ $code }, often pasted from formatted text; write { $plain }
look-alike-plain-space = a plain space
statement-help = a statement is `name = expression`, or starts with one of: input, target, param, const, dim, loss, optimizer, train
keyword-help = `{ $token }` is a keyword of the language and cannot name a value
multiply-help = to multiply, write the operator: `{ $number } * { $token }`
power-help = a power is written with `^`: `x^2`
name-the-loss-help = name the loss, e.g. `loss E = …`
no-comparison-help = there is no comparison in the language; `=` defines a name
