### Diagnostics of optimizers, training settings and initializers.

sgd-needs-lr = sgd needs a learning rate
sgd-needs-lr-label = no `lr` given
sgd-needs-lr-help = write e.g. `optimizer sgd(lr = 0.1)`
setting-learning-rate = the learning rate `lr`
unknown-optimizer = unknown optimizer `{ $name }`
unknown-optimizer-label = not an optimizer nabla knows
unknown-optimizer-help = the optimizers are `sgd(lr, momentum)` and `adam(lr, beta1, beta2, eps)`
unnamed-training-setting = name each training setting
which-setting = which setting is this?
unnamed-training-setting-help = write e.g. `train(epochs = 100, batch = 16, shuffle = true, seed = 1)`
shuffle-is-a-switch = `shuffle` is true or false
shuffle-is-a-switch-label = expected `true` or `false`
takes-no-arguments = `{ $name }` takes no arguments
takes-no-arguments-label = remove these
uniform-needs-ends = `uniform(a, b)` needs the interval's ends `a` and `b`
uniform-needs-order = `uniform(a, b)` needs a < b
is-not-less-than = { $a } is not less than { $b }
normal-needs-arguments = `normal(mean, std)` needs `mean` and `std`
unknown-initializer = unknown initializer `{ $name }`
unknown-initializer-label = not an initializer nabla knows
unknown-initializer-help = the initializers are zeros, ones, uniform(a, b), normal(mean, std), xavier and he
unnamed-after-named = an argument without a name after named ones
unnamed-after-named-help = write arguments in order first, then named ones: `{ $form }`
takes-at-most-arguments = `{ $function }` takes at most { $most } arguments
one-too-many = one too many
no-such-setting = `{ $function }` has no setting `{ $name }`
unknown-argument = unknown argument
settings-are = `{ $function }` takes: { $names }
given-twice = `{ $name }` is given twice
given-again-here = given again here
missing-arguments = missing arguments
must-be-positive = { $what } must be greater than 0
must-be-a-fraction = { $what } must be at least 0 and less than 1
must-be-a-count = { $what } must be a whole number, { $least } or more
this-is = this is { $value }
did-you-mean = did you mean `{ $suggestion }`?
