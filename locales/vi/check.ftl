### Lỗi khi kiểm tra mạng: tên, kích thước, lời gọi hàm, hằng số.

## Kích thước, như các thông báo gọi tên.

a-scalar = một số vô hướng
a-vector = một vectơ { $dims }
a-matrix = một ma trận { $dims }
a-tensor = một tenxơ { $dims }
scalar = vô hướng
a-matrix-of-any-size = một ma trận
a-vector-of-any-size = một vectơ
verbatim = { $text }
shape-here = { $shape } ở đây
the-first-is = phần tử đầu tiên là { $shape }
rows = { $count } hàng
elements = { $count } phần tử

## Tên.

unknown-name = tên `{ $name }` chưa được khai báo trong tệp này
unknown-name-label = không được khai báo hay định nghĩa ở bất kỳ đâu trong tệp này
is-a-function-help = `{ $name }` là một hàm: hãy gọi nó dưới dạng `{ $name }(…)`
declare-it-help = hãy khai báo nó, ví dụ `input { $name }[…]` hoặc `param { $name }[…] = …`, hoặc định nghĩa nó: `{ $name } = …`
unknown-function = không có hàm nào tên `{ $name }`
unknown-function-label = ngôn ngữ không có hàm này
is-a-value-help = `{ $name }` là một giá trị, không phải một hàm; để nhân, hãy viết `{ $name } * (…)`
functions-are = các hàm là: { $names }
is-not-declared = `{ $code }` chưa được khai báo
name-is = `{ $name }` là { $what }
declared-kind = { $kind ->
    [input] một đầu vào (input)
    [target] một giá trị mục tiêu (target)
    [param] một tham số (param)
   *[const] một hằng số (const)
}
a-computed-value = một giá trị được tính ra

## Phép toán và kích thước.

shape-mismatch = kích thước không khớp trong `{ $code }`: { $left } { $operator } { $right }
elementwise-needs-equal-shapes = phép `{ $operator }` từng phần tử cần hai kích thước bằng nhau, hoặc một vế là số vô hướng
columns-but-rows = `{ $left }` có { $columns } cột nhưng `{ $right }` có { $rows } hàng
matmul-by-a-scalar = `@` nhân với một vectơ hoặc một ma trận
matmul-by-a-scalar-help = để nhân mọi phần tử với một số, hãy dùng `*`
matmul-left-side = vế trái của `@` phải là một ma trận
matmul-right-side = vế phải của `@` phải là một vectơ hoặc một ma trận
dot-product-help = để tính tích vô hướng của hai vectơ, hãy viết `{ $code }`
operator-takes = `{ $operator }` nhận { $wants }, nhưng `{ $name }` là { $shape }
vector-needs-no-transpose = vectơ không cần chuyển vị: `W @ x` coi nó là một cột
picks-from-by = `{ $code }` lấy từ { $from } theo { $by }
what-pick-does-by-an-index = `A[i]` lấy một hàng của ma trận hoặc một phần tử của vectơ theo một chỉ số
concat-joins-vectors-not = `concat` nối các vectơ, nhưng ở đây là { $left } và { $right }
expected-vectors-or-scalars = cần các vectơ hoặc số vô hướng
does-not-fit = `{ $code }` không khớp với { $shape }
division-by-zero = phép chia cho 0
division-by-zero-label = giá trị này đúng bằng 0
power-too-large = luỹ thừa này quá lớn để tính chính xác
power-too-large-label = nabla tính chính xác các luỹ thừa có tối đa { $bits } bit

## Lời gọi hàm.

arguments-without-names = `{ $function }` nhận các đối số theo thứ tự, không ghi tên
arguments-without-names-label = hãy bỏ tên này và dấu `=` của nó
arguments-exactly = { $count } đối số
arguments-between = { $least } hoặc { $most } đối số
arguments-at-least = từ { $least } đối số trở lên
wrong-argument-count = `{ $function }` nhận { $takes }, nhưng ở đây có { $given }
expected-form = cần `{ $form }`
concat-joins-vectors = `concat` nối các vectơ, nhưng `{ $name }` là { $shape }
shape-mismatch-in-call = kích thước không khớp trong `{ $function }`: { $left } và { $right }
compares-same-shapes = `{ $function }` so sánh hai giá trị có cùng kích thước
booleans-are-not-numbers = true và false không phải là số
expected-a-number = cần một con số
booleans-are-not-numbers-help = true và false chỉ dùng để bật tắt các thiết lập như `train(shuffle = false)`

## Chỉ số và lô (batch).

picks-by-an-index = `{ $value }[…]` lấy phần tử theo một chỉ số, nhưng `{ $index }` là { $shape }, không phải chỉ số
expected-a-declared-index = cần một chỉ số đã khai báo
picks-by-an-index-help = hãy khai báo số nguyên dùng để chọn, ví dụ `input c : index(27)`, rồi viết `C[c]`
nothing-to-pick-from = `{ $value }` là một số vô hướng: không có gì để lấy ra
what-pick-does = `[…]` lấy một hàng của ma trận hoặc một phần tử của vectơ
index-goes-beyond = `{ $name }` có thể lên tới { $most }, nhưng `{ $value }` chỉ có { $has }
an-index-up-to = một chỉ số 0 … { $most }
index-is-not-a-value = `{ $name }` là một chỉ số, tức một số nguyên 0 … { $most }, không phải giá trị để tính toán
operator-of-an-index = `{ $operator }` của một chỉ số
index-is-not-a-value-help = chỉ số dùng để chọn một hàng, `C[{ $name }]`, hoặc gọi tên một lớp, `cross_entropy(p, { $name })`
same-in-every-example = `{ $function }` xét trên mọi ví dụ của một lô, nhưng `{ $value }` như nhau ở mọi ví dụ
depends-on-no-input = không phụ thuộc vào đầu vào hay giá trị mục tiêu nào
same-in-every-example-help = `{ $function }` dành cho các giá trị tính từ đầu vào, chẳng hạn tổng có trọng số (net) của một lớp
the-correction-of-batch-var = hệ số hiệu chỉnh của `batch_var`
correction-is-0-or-1 = hệ số hiệu chỉnh của `batch_var` là 0 hoặc 1
correction-is-0-or-1-help = `batch_var(v)` chia cho m, `batch_var(v, 1)` chia cho m − 1 (như torch.var(correction=1))
probabilities = { $count } xác suất
probabilities-for-classes = kích thước không khớp trong `{ $function }`: { $probabilities } cho một số thứ tự lớp 0 … { $most }
one-probability-per-class = `{ $function }` với số thứ tự lớp cần đúng một xác suất cho mỗi lớp
targets-not-an-index = `{ $function }` nhận giá trị mục tiêu 0 hoặc 1 dưới dạng số, nhưng `{ $value }` là một chỉ số
a-class-number = một số thứ tự lớp
targets-not-an-index-help = với số thứ tự lớp, hãy dùng `cross_entropy(softmax(z), y)`

## Mảng và hằng số.

empty-array = một mảng rỗng không có kích thước
empty-array-label = hãy viết ít nhất một phần tử
array-of-constants = một mảng chỉ được chứa các con số và biểu thức chính xác của các con số
array-of-constants-label = phần tử này không phải là hằng số
array-of-one-shape = các phần tử của một mảng phải có cùng kích thước
array-too-deep = một mảng chỉ lồng nhau tối đa bốn cấp
array-too-deep-label = đây sẽ là một giá trị năm chiều
array-too-deep-help = giá trị là số vô hướng, vectơ [n], ma trận [m, n] hoặc tenxơ ba hay bốn chiều, chẳng hạn ảnh [C, H, W] và nhân (kernel) [F, C, kh, kw]
the-exponent = số mũ của `^`
must-be-exact = { $what } phải là giá trị chính xác
must-be-exact-label = biểu thức này không có giá trị chính xác
must-be-exact-help = hãy dùng các con số, `dim` và `const` với + - * / và luỹ thừa nguyên
must-be-a-single-number = { $what } phải là một con số duy nhất
must-be-a-constant = { $what } phải là hằng số, nhưng `{ $name }` thì không
must-be-a-constant-help = ở đây chỉ được dùng các con số, các `dim` và các `const` có giá trị

## Khai báo và kích thước.

what-a-dim = một `dim`
what-a-size = một kích thước
what-a-declared-value = một giá trị khai báo
what-an-example-value = giá trị của một ví dụ
what-an-index-count = số giá trị mà một chỉ số có thể nhận
size-must-be-a-count = kích thước phải là số nguyên, từ 1 trở lên
too-many-dimensions = một giá trị có nhiều nhất bốn chiều, nhưng kích thước này có { $count } chiều
too-many-dimensions-label = cần `[n]`, `[m, n]`, `[C, H, W]` hoặc `[F, C, kh, kw]`
empty-shape = kích thước rỗng
empty-shape-label = hãy viết kích thước, hoặc bỏ dấu ngoặc nếu là số vô hướng
shape-too-large = một giá trị có kích thước { $shape } sẽ có { $elements } phần tử
shape-too-large-label = cần { $memory } bộ nhớ với kiểu f32; nabla chỉ xử lý tối đa { $most } phần tử cho mỗi giá trị
bytes = { $count } byte
param-needs-a-value = tham số `{ $name }` cần một giá trị khởi tạo
no-starting-value = chưa cho giá trị khởi tạo
param-needs-a-value-help = ví dụ `param W[2, 2] = [[…], […]]` hoặc `param W[2, 2] ~ xavier`
const-needs-a-value = hằng số `{ $name }` cần một giá trị
no-value = chưa cho giá trị
const-needs-a-value-help = ví dụ `const c = 0.5`
only-params-are-drawn = chỉ tham số (param) mới được khởi tạo ngẫu nhiên, nhưng `{ $name }` là { $kind }
an-initializer-here = cách khởi tạo ở đây
only-params-are-drawn-help = hãy cho { $name } một giá trị bằng `= …`
value-does-not-fit = giá trị của `{ $name }` không khớp với kích thước đã khai báo { $shape }
declared-shape = khai báo là { $shape }
value-does-not-fit-help = hãy viết đủ mọi phần tử; tham số có thể khởi tạo bằng `~ zeros` hoặc `~ ones`
xavier-needs-a-matrix = xavier và he cần một ma trận hoặc một nhân (kernel), nhưng `{ $name }` là { $shape }
xavier-needs-a-matrix-label = không có số đầu vào và số đầu ra (fan-in, fan-out) để co giãn theo
xavier-needs-a-matrix-help = vectơ độ lệch (bias) thường được khởi tạo bằng `~ zeros`
unknown-kind-of-value = không có loại giá trị nào tên `{ $name }`
unknown-kind-of-value-help = `{ $name } : index(N)` khai báo một số nguyên 0 … N−1; với các con số, hãy cho kích thước: `{ $name }[n]`
only-inputs-are-indices = chỉ đầu vào hoặc giá trị mục tiêu mới có thể là chỉ số, nhưng `{ $name }` là { $kind }
only-inputs-are-indices-label = chỉ số đi kèm với từng ví dụ
only-inputs-are-indices-help = hãy khai báo số thứ tự của lớp hoặc của token dưới dạng `input c : index(N)` hoặc `target y : index(N)`
index-takes-a-count = cần `index(N)`: số giá trị mà chỉ số có thể nhận
an-index-is-one-number = chỉ số là một số nguyên duy nhất
not-a-whole-number = không phải số nguyên từ 0 trở lên
out-of-range = nằm ngoài phạm vi
index-value-out-of-range = `{ $name }` là một index({ $count }), tức một số nguyên 0 … { $most }, nhưng giá trị này là { $value }

## Lô (batch) ví dụ.

each-is-for-inputs = `each` cho mỗi ví dụ một giá trị, nhưng `{ $name }` là { $kind }: một giá trị dùng chung cho mọi ví dụ
each-is-for-inputs-label = chỉ đầu vào và giá trị mục tiêu mới khác nhau giữa các ví dụ
each-is-for-inputs-help = hãy cho `{ $name }` một giá trị: `= …`
each-needs-a-list = sau `each` phải là danh sách giá trị của các ví dụ
each-needs-a-list-label = cần `[v₁, v₂, …]`, mỗi ví dụ một giá trị
each-needs-a-list-help = ví dụ `{ $code }` cho hai ví dụ
example-does-not-fit = ví dụ thứ { $number } của `{ $name }` không khớp với kích thước { $shape }
example-1-is = ví dụ thứ 1 là { $shape }
examples = { $count } ví dụ
values-here = { $count } giá trị ở đây
examples-disagree = `{ $name }` cho { $count } nhưng `{ $first }` cho { $first_count }
examples-disagree-help = mọi `each` phải liệt kê cùng các ví dụ, mỗi ví dụ một giá trị
one-example-beside-each = `{ $name }` chỉ cho giá trị của một ví dụ, nhưng `{ $first }` cho { $first_count }
one-example-beside-each-help = hãy cho `{ $name }` mỗi ví dụ một giá trị: `= each […]`
statistic-of-one-example = một thống kê theo lô trên chỉ một ví dụ
statistic-of-one-example-label = xét trên mọi ví dụ của một lô
statistic-of-one-example-note = tệp chỉ cho giá trị của một ví dụ: trên một ví dụ thì phương sai bằng 0, và chuẩn hoá theo nó là chia cho 0
statistic-of-one-example-help = hãy cho nhiều ví dụ bằng `each`: `input x[2] = each [[…], […], […]]`

## Toàn bộ tệp.

loss-not-scalar = hàm mất mát phải cho ra một con số duy nhất, nhưng `{ $name }` là { $shape }
loss-not-scalar-help = hãy thu nó về một số vô hướng, ví dụ `sum({ $code })` hoặc `mean({ $code })`
second-loss = hàm mất mát thứ hai
second-loss-label = mỗi tệp có đúng một hàm mất mát
second-loss-note = hàm mất mát được định nghĩa ở đây
second-loss-help = để gộp chúng, hãy định nghĩa hàm này như một giá trị (`{ $name } = …`) rồi cộng nó vào hàm mất mát
second-line = dòng `{ $keyword }` thứ hai
only-one-allowed = chỉ được có một
the-first-is-here = dòng đầu tiên ở đây
no-statements = tệp này không mô tả mạng nào: nó không có câu lệnh nào
no-statements-label = cần các khai báo, định nghĩa và một hàm mất mát
no-statements-help = hãy bắt đầu từ một ví dụ, chẳng hạn `nabla check examples/xor.nabla`
no-loss = tệp này không có hàm mất mát
no-loss-label = cần một dòng `loss` trước khi hết tệp
no-loss-help = hãy thêm giá trị cần cực tiểu hoá, ví dụ `loss E = sum((o - y)^2)`
never-used = { $kind } `{ $name }` không được hàm mất mát `{ $loss }` dùng đến
unused-param-label = gradient của nó luôn bằng 0, nên huấn luyện không bao giờ thay đổi nó
declared-here = khai báo ở đây
computed-but-unused = `{ $name }` được tính ra nhưng hàm mất mát `{ $loss }` không dùng đến nó
defined-here = định nghĩa ở đây
defined-twice = `{ $name }` được định nghĩa hai lần
defined-again-here = định nghĩa lại ở đây
first-defined-here = định nghĩa lần đầu ở đây
defined-twice-help = hãy đặt cho mỗi giá trị một tên riêng
defined-by-itself = `{ $name }` được định nghĩa qua chính nó
defined-by-itself-through = `{ $name }` được định nghĩa qua chính nó: { $chain }
defined-by-itself-label = định nghĩa này phụ thuộc vào chính nó
defined-by-itself-help = mỗi giá trị phải tính được từ đầu vào, tham số và hằng số
part-of-the-cycle = `{ $name }` nằm trong vòng lặp định nghĩa này

## Những giá trị không tồn tại.

log-of-non-positive = logarit của một giá trị không dương
log-of-non-positive-always = đây là logarit của một số nhỏ hơn hoặc bằng 0, dù dữ liệu và tham số là gì
log-of-non-positive-here = với các giá trị đã cho, đây là logarit của một số nhỏ hơn hoặc bằng 0
sqrt-of-negative = căn bậc hai của một giá trị âm
sqrt-of-negative-always = giá trị này âm, dù dữ liệu và tham số là gì
sqrt-of-negative-here = với các giá trị đã cho, giá trị này âm
division-by-zero-always = phép tính này chia cho đúng 0, dù dữ liệu và tham số là gì
division-by-zero-here = với các giá trị đã cho, phép tính này chia cho đúng 0
too-large-to-compute = một giá trị quá lớn để tính chính xác
power-too-large-here = luỹ thừa chính xác này sẽ quá lớn
expression-is-nan = với các giá trị đã cho, biểu thức này không phải là số (NaN)
expression-is-infinite = với các giá trị đã cho, biểu thức này bằng vô cùng
gradient-is-nan = với các giá trị đã cho, gradient tại biểu thức này không phải là số (NaN)
gradient-is-infinite = với các giá trị đã cho, gradient tại biểu thức này bằng vô cùng
first-non-finite-forward = giá trị không hữu hạn đầu tiên, trong lan truyền tiến
first-non-finite-backward = giá trị không hữu hạn đầu tiên, trong lan truyền ngược
in-example = { $message }, ở ví dụ thứ { $example }
exp-overflows = hàm exp vượt quá phạm vi của float64 khi đối số lớn hơn khoảng 709
log-underflows = đối số của nó bằng 0 trong float64 (một giá trị rất nhỏ bị làm tròn về 0, như σ(−1000)); với xác suất, cross_entropy hoặc log_softmax của các logit vẫn hữu hạn
divisor-underflows = số chia bằng 0 trong float64
power-overflows = luỹ thừa vượt quá phạm vi của float64, hoặc nâng 0 lên một số mũ âm
float64-range = float64 chỉ biểu diễn được độ lớn tới khoảng 1.8e308; hãy kiểm tra các giá trị đưa vào biểu thức này
one-example = một ví dụ

## Tên các phép toán trong đồ thị tính toán mà tệp không viết ra.

graph-onehot = one-hot
graph-slice = lát cắt
graph-binary-cross-entropy = entropy chéo nhị phân
graph-broadcast = lan rộng (broadcast)
graph-outer = tích ngoài

## Tenxơ: tích chập, gộp, trục.

arguments-conv2d = 2, 4 hoặc 5 đối số
conv-shapes = `conv2d` nhận một đầu vào [C, H, W] với các nhân (kernel) [F, C, kh, kw], hoặc [H, W] với [kh, kw], nhưng `{ $input }` là { $input_shape } và `{ $kernel }` là { $kernel_shape }
conv-shapes-label = đầu vào và các nhân không khớp với nhau
conv-channels-label = đầu vào có { $input } kênh, nhưng mỗi nhân nhận { $kernel } kênh
conv-kernel-too-large = trong `{ $code }`, nhân { $kernel } không nằm gọn trong đầu vào { $padded }{ $padding ->
    [0] {""}
   *[other] {" "}(kể cả phần đệm)
}
conv-kernel-too-large-label = nhân phải nằm gọn trong đầu vào của nó
conv-kernel-too-large-help = hãy đệm (padding) đầu vào (`conv2d(X, K, stride, padding)`) hoặc dùng nhân nhỏ hơn
conv-stride = trong `{ $code }`, bước trượt (stride) { $stride } không khớp: nhân dịch đi { $rows } hàng và { $cols } cột kể từ vị trí đầu tiên, và cả hai số phải là bội của bước trượt
conv-stride-label = các hàng hoặc cột cuối của đầu vào sẽ bị bỏ sót
conv-stride-help = hãy chọn bước trượt chia hết { $rows } và { $cols }, hoặc đổi phần đệm
conv-bias = độ lệch (bias) của `conv2d` có một giá trị cho mỗi kênh đầu ra, { $expected }, nhưng `{ $bias }` là { $shape }
pool-windows = `{ $function }` lấy các cửa sổ { $k }×{ $k }, không lát kín được { $shape }
pool-windows-label = hai kích thước cuối của nó phải là bội của { $k }
pool-needs-maps = `{ $function }` nhận một giá trị có từ hai chiều trở lên ([H, W], [C, H, W]), nhưng `{ $name }` là { $shape }
axis-out-of-range = `{ $function }` theo trục { $axis }, nhưng `{ $name }` là { $shape }, có các trục từ 0 đến { $last }
axis-of-a-scalar = `{ $function }` theo trục { $axis }, nhưng `{ $name }` là một số vô hướng, không có trục nào
axis-label = các trục được đánh số từ 0
the-stride = bước trượt (stride) của `conv2d`
the-padding = phần đệm (padding) của `conv2d`
the-window = cửa sổ của `{ $function }`
the-axis = trục của `{ $function }`
must-be-a-whole-number = { $what } phải là một số nguyên, từ { $least } trở lên
