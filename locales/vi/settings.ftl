### Lỗi ở bộ tối ưu, thiết lập huấn luyện và cách khởi tạo.

sgd-needs-lr = sgd cần một tốc độ học
sgd-needs-lr-label = chưa cho `lr`
sgd-needs-lr-help = hãy viết, ví dụ, `optimizer sgd(lr = 0.1)`
setting-learning-rate = tốc độ học `lr`
unknown-optimizer = không có bộ tối ưu nào tên `{ $name }`
unknown-optimizer-label = nabla không biết bộ tối ưu này
unknown-optimizer-help = các bộ tối ưu là `sgd(lr, momentum)` và `adam(lr, beta1, beta2, eps)`
unnamed-training-setting = hãy ghi tên của từng thiết lập huấn luyện
which-setting = đây là thiết lập nào?
unnamed-training-setting-help = hãy viết, ví dụ, `train(epochs = 100, batch = 16, shuffle = true, seed = 1)`
shuffle-is-a-switch = `shuffle` chỉ nhận true hoặc false
shuffle-is-a-switch-label = cần `true` hoặc `false`
takes-no-arguments = `{ $name }` không nhận đối số nào
takes-no-arguments-label = hãy bỏ các đối số này
uniform-needs-ends = `uniform(a, b)` cần hai đầu mút `a` và `b` của khoảng
uniform-needs-order = `uniform(a, b)` cần a < b
is-not-less-than = { $a } không nhỏ hơn { $b }
normal-needs-arguments = `normal(mean, std)` cần `mean` và `std`
unknown-initializer = không có cách khởi tạo nào tên `{ $name }`
unknown-initializer-label = nabla không biết cách khởi tạo này
unknown-initializer-help = các cách khởi tạo là zeros, ones, uniform(a, b), normal(mean, std), xavier và he
unnamed-after-named = một đối số không có tên đứng sau các đối số có tên
unnamed-after-named-help = hãy viết các đối số theo thứ tự trước, rồi mới đến các đối số có tên: `{ $form }`
takes-at-most-arguments = `{ $function }` nhận nhiều nhất { $most } đối số
one-too-many = thừa một đối số
no-such-setting = `{ $function }` không có thiết lập `{ $name }`
unknown-argument = đối số không xác định
settings-are = `{ $function }` nhận: { $names }
given-twice = `{ $name }` được cho hai lần
given-again-here = cho lại lần nữa ở đây
missing-arguments = thiếu đối số
must-be-positive = { $what } phải lớn hơn 0
must-be-a-fraction = { $what } phải lớn hơn hoặc bằng 0 và nhỏ hơn 1
must-be-a-count = { $what } phải là số nguyên, từ { $least } trở lên
this-is = giá trị này là { $value }
did-you-mean = có phải ý bạn là `{ $suggestion }`?
