### Dòng lệnh: cách hiện lỗi, tệp, tuỳ chọn, kết quả.

severity-error = lỗi
severity-warning = cảnh báo
help-note = gợi ý: { $help }
error-count = { $file }: { $count } lỗi
line-too-long-to-show = tại { $place }, trên một dòng dài { $length } ký tự, quá dài để hiển thị; đoạn ở đó là: `{ $near }…`

## Tuỳ chọn không hợp với tệp.

wrt-unknown = --wrt { $name }: không có đầu vào hay tham số nào tên `{ $name }`; tệp khai báo: { $known }
wrt-not-a-variable = --wrt { $name }: `{ $name }` là { $kind }; gradient chỉ được lấy theo đầu vào và tham số
wrt-an-index = --wrt { $name }: `{ $name }` là một chỉ số (một số nguyên 0 … { $most }), không có gradient
internal-differentiating = lỗi nội bộ khi lấy đạo hàm ({ $error }); hãy báo lỗi kèm theo tệp này
form-scalar-too-many = --form scalar viết mỗi phần tử tham số một dòng, mà gradient này có { $count } phần tử; hãy chọn vài phần tử bằng --wrt, hoặc dùng dạng vectơ
form-scalar-too-large = mạng này quá lớn cho dạng vô hướng; hãy dùng dạng vectơ
scalar-form-unsupported-index = dạng vô hướng viết một chuỗi cho từng phần tử, mà mạng này chọn theo chỉ số (phần tử nào được dùng phụ thuộc vào giá trị của chỉ số); hãy dùng dạng vectơ
scalar-form-unsupported-batch = dạng vô hướng viết một chuỗi cho từng phần tử của một ví dụ, mà mạng này xét trên cả lô; hãy dùng dạng vectơ
scalar-form-unsupported-max-pool = dạng vô hướng viết một chuỗi cho từng phần tử, mà mạng này có gộp cực đại (gradient của mỗi cửa sổ đi về đâu phụ thuộc vào giá trị); hãy dùng dạng vectơ, dạng này giải từng cửa sổ
scalar-form-unsupported-axis = dạng vô hướng viết một chuỗi cho từng phần tử, mà mạng này có softmax hoặc log_softmax theo một trục; hãy dùng dạng vectơ, dạng này giải từng dòng
form-scalar-too-many-values = --form scalar dành cho các mạng nhỏ (tối đa { $most } giá trị tham số); hãy dùng --form vector hoặc chọn vài tham số bằng --wrt
steps-without-params = --steps huấn luyện các tham số của tệp, mà tệp này không có tham số nào
explain-too-large-to-draw = explain giải một bước bằng tay, mà { $names } quá lớn để khởi tạo ngẫu nhiên (mỗi tham số tối đa { $most } giá trị); hãy dùng nabla derive để xem công thức, hoặc một chương trình huấn luyện được sinh ra
explain-needs-values = explain cần giá trị của mọi thứ mà hàm mất mát dùng đến; những tên sau chưa có giá trị: { $names }
    hãy cho chúng giá trị trong tệp (`input x[2] = [0.5, 1]`)

## Tệp.

cannot-read = không đọc được { $path }: { $why }
cannot-create = không tạo được { $path }: { $why }
cannot-write = không ghi được { $path }: { $why }
cannot-write-output = không ghi được kết quả: { $why }
no-such-file = không có tệp này
permission-denied = không có quyền truy cập
is-a-directory = đây là một thư mục
source-too-large = { $name } lớn hơn { $megabytes } MB; nó có thật là tệp .nabla không?
at-place = { $place }: { $message }
data-not-text = { $place }: không phải tệp văn bản (byte thứ { $byte } không phải UTF-8)
rows-beyond-the-file = --rows { $rows }: { $path } có { $count } hàng dữ liệu (từ 1 đến { $count })
rows-not-a-range = --rows { $rows }: cần số thứ tự hàng đếm từ 1, như `3` hoặc `1..4` (tính cả hai đầu)
rows-reversed = --rows { $rows }: hàng đầu đứng sau hàng cuối; hãy viết `{ $range }`
weights-not-json = { $path } không phải JSON hợp lệ: { $why }
weights-not-an-object = { $path }: cần một đối tượng {"{"}"W1": [[…], …], …{"}"} với khoá là tên tham số
weights-not-a-param = { $path }: `{ $name }` không phải tham số của mạng này (các tham số của nó: { $params })
weights-not-numbers = { $path }: `{ $name }` chứa thứ không phải con số
weights-wrong-shape = { $path }: `{ $name }` phải có kích thước { $shape }, nhưng lại có { $found }
weights-inexact = { $path }: `{ $name }` chứa một con số mà nabla không đọc chính xác được

## Kết quả.

progress-steps = bước
cannot-generate = không sinh được chương trình huấn luyện: { $why }
destination-not-empty = { $path } không rỗng; hãy dùng --force để vẫn ghi dự án vào đó (khi ấy nabla chỉ thay các tệp do nó ghi và không đụng đến những thứ khác)
destination-not-a-directory = { $path } đã tồn tại và không phải là thư mục
wrote-project = đã ghi dự án huấn luyện `{ $package }` vào { $path }: { $files } tệp
wrote-project-unchanged = đã ghi dự án huấn luyện `{ $package }` vào { $path }: { $files } tệp ({ $unchanged } tệp không đổi)
train-it-with = huấn luyện nó bằng lệnh: { $command }
explain-too-many-rows = explain giải một bước bằng tay, mà { $rows } hàng là một lô quá lớn để đọc theo cách đó (tối đa { $most }); hãy chọn một số hàng bằng --rows
explain-too-large = explain tính chính xác mọi con số của một bước, mà bước này cần khoảng { $numbers } số (riêng { $largest } đã có { $size } giá trị), nhiều hơn { $most } số mà nó tính được trong vài giây: hãy dùng nabla derive để xem công thức (công thức không phụ thuộc vào kích thước; --wrt TÊN cho một giá trị), chạy explain với kích thước nhỏ hơn để thấy các bước y như vậy với số cụ thể, hoặc dùng nabla gen để huấn luyện mạng
explain-statistics-of-one-row = mạng dùng các thống kê theo lô, mà một ví dụ thì không có độ phân tán nào để đo (phương sai của nó bằng 0): hãy lấy nhiều hàng của tệp dữ liệu
form-scalar-of-a-batch = --form scalar giải từng phần tử của một ví dụ; một lô được trình bày theo từng lớp (--form vector)

## Những gì nabla gen từ chối.

gen-no-parameters = mạng không có tham số (`param`) nào để huấn luyện; hãy khai báo bằng `param` những giá trị mà quá trình huấn luyện cần thay đổi
gen-loss-ignores-parameters = hàm mất mát không phụ thuộc vào tham số (`param`) nào (mọi gradient đều đúng bằng 0), nên quá trình huấn luyện sẽ không thay đổi gì
gen-no-columns = mạng không có `input` hay `target` nào, nên tệp dữ liệu sẽ không có cột nào
gen-unsupported = chương trình huấn luyện được sinh ra chưa tính được { $what }; `nabla derive` và `nabla explain` thì làm được
gen-too-large-for = { $what } quá lớn đối với { $type }
gen-the-value-of = giá trị của `{ $name }`
gen-the-range-of = khoảng giá trị của `{ $name }`
gen-the-distribution-of = phân phối của `{ $name }`
gen-an-optimizer-setting = một thiết lập của bộ tối ưu
gen-too-many-columns = mỗi hàng dữ liệu của mạng này có { $columns } cột; nabla gen chỉ sinh chương trình huấn luyện có tối đa { $most } cột (chương trình liệt kê tên các cột trong mã nguồn, khi đó phải mất vài phút để biên dịch)
gen-parameters = { $count } tham số
gen-elements-in-one-value = { $count } phần tử trong một giá trị
gen-trainer-too-large = chương trình huấn luyện của mạng này sẽ phải giữ { $what } ({ $memory } với kiểu f32, và còn gấp mấy lần thế); nabla gen chỉ sinh chương trình có tối đa { $most }
gen-must-be-more-than-0 = phải lớn hơn 0
gen-must-be-less-than-1 = phải nhỏ hơn 1
gen-setting-rounds = { $what } = { $value } thành { $rounded } trong { $type }, kiểu số của chương trình huấn luyện, nhưng nó { $must }
gen-a-number-in-the-file = một con số trong tệp

## Các hàng của tệp dữ liệu (explain --data), đọc theo quy tắc của chương trình huấn luyện.

data-empty = tệp rỗng: không có hàng dữ liệu nào
data-header-only = tệp có dòng tiêu đề nhưng không có hàng dữ liệu nào
data-unclosed-quote = một ô trong dấu ngoặc kép thiếu dấu `"` đóng
data-row-length = một hàng có { $count } cột, nhưng các hàng của mạng có { $full } cột ({ $columns })
data-row-length-or-class = một hàng có { $count } cột, nhưng các hàng của mạng có { $full } cột, hoặc { $class } cột nếu giá trị mục tiêu là một cột lớp ({ $columns })
data-empty-cell = ô này trống
data-not-finite = `{ $cell }` không phải là số hữu hạn
data-not-a-number = `{ $cell }` không phải là số
data-not-an-index = `{ $cell }` không phải là chỉ số: { $name } nhận các số nguyên từ 0 đến { $most }
data-the-class-of = lớp của { $name }
data-class-missing = thiếu lớp
data-not-a-class = `{ $cell }` không phải là một lớp: các lớp được đánh số từ 0 đến { $most }
data-not-a-class-number = `{ $cell }` không phải là số thứ tự lớp, mà lớp ở hàng đầu tiên là một con số
data-class-too-many = `{ $cell }` sẽ là lớp thừa: giá trị mục tiêu có { $classes } lớp, { $labels }
data-in-named-column = { $what } (cột `{ $column }`: { $holds })
data-in-column = { $what } ({ $holds })
