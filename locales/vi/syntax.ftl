### Lỗi khi đọc tệp: văn bản, dấu ngoặc, câu lệnh, con số.

not-utf8 = đây không phải văn bản UTF-8: byte 0x{ $byte } không thể mở đầu một ký tự
not-utf8-label = không phải UTF-8 hợp lệ
not-utf8-help = tệp .nabla là văn bản thuần; hãy lưu nó dưới dạng UTF-8

malformed-statement = nabla không đọc được câu lệnh này
malformed-statement-label = bộ phân tích cú pháp đã chấp nhận nó, nhưng cây cú pháp không có dạng như mong đợi
report-bug-help = đây là lỗi của nabla; hãy báo lỗi kèm theo tệp này

unclosed-bracket = dấu `{ $bracket }` này không bao giờ được đóng
unclosed-bracket-label = mở ở đây, cần một dấu `{ $closer }` tương ứng
nested-too-deeply = các dấu ngoặc lồng nhau quá sâu: hơn { $most } cấp
nested-too-deeply-label = cấp thứ { $level } mở ở đây
nested-too-deeply-help = hãy đặt tên riêng cho các phần bên trong: `inner = …` trên một dòng phía trước

exponent-out-of-range = số mũ của con số này vượt quá phạm vi cho phép
exponent-out-of-range-label = số mũ phải nằm trong khoảng từ -{ $most } đến { $most }
chain-too-long = biểu thức này quá dài: hơn { $most } phép toán trong một chuỗi
chain-too-long-help = hãy đặt tên riêng cho từng phần, mỗi phần một dòng: `part = …`
statement-too-complex = câu lệnh này quá phức tạp để phân tích
statement-too-complex-help = hãy tách nó thành nhiều phần có tên, mỗi phần một dòng

## Bộ phân tích cần gì, và đã gặp gì.

expected-found = cần { $expected }, nhưng gặp { $found }
expected-a-statement = một câu lệnh
expected-a-name = một tên
expected-a-shape = một kích thước như `[2, 3]`
expected-an-expression = một biểu thức
expected-an-operator = một phép toán
expected-the-end-of-the-line = cuối dòng
expected-something-else = một thứ khác
code = `{ $code }`
expected-or = { $init } hoặc { $last }
found-invisible = ký tự vô hình U+{ $code }

look-alike-help = đây là ký tự trông giống U+{ $code }, thường bị dán vào từ văn bản có định dạng; hãy viết { $plain }
look-alike-plain-space = một dấu cách thường
statement-help = một câu lệnh có dạng `name = expression`, hoặc bắt đầu bằng một trong các từ khoá: input, target, param, const, dim, loss, optimizer, train
keyword-help = `{ $token }` là từ khoá của ngôn ngữ, không dùng để đặt tên cho giá trị được
multiply-help = để nhân, hãy viết phép toán: `{ $number } * { $token }`
power-help = luỹ thừa được viết bằng `^`: `x^2`
name-the-loss-help = hãy đặt tên cho hàm mất mát, ví dụ `loss E = …`
no-comparison-help = ngôn ngữ không có phép so sánh; `=` dùng để định nghĩa một tên
