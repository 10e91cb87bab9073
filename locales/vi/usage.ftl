### Chính dòng lệnh: phần trợ giúp của nabla (`nabla --help`, `nabla LỆNH --help`, `nabla help`)
### và những gì nó báo khi dòng lệnh viết sai. Tên các tuỳ chọn và giá trị (`--format`, `html`)
### là giao diện, giữ nguyên trong mọi ngôn ngữ.

## Tiêu đề và ký hiệu của phần trợ giúp.

usage-heading = Cách dùng:
usage-commands-heading = Lệnh
usage-arguments-heading = Đối số
usage-options-heading = Tuỳ chọn
usage-options-placeholder = TUỲ_CHỌN
usage-possible-values-heading = Các giá trị:
usage-default = [mặc định: { $value }]
usage-possible-values = [các giá trị: { $values }]
usage-help = In phần trợ giúp (xem đầy đủ hơn với '--help')
usage-help-long = In phần trợ giúp (xem bản tóm tắt với '-h')
usage-version = In số phiên bản

## Mỗi lệnh làm gì.

usage-about = Viết một mạng nơ-ron bằng một ngôn ngữ nhỏ, và xem mạng học như thế nào
usage-about-check = Phân tích và kiểm tra một tệp .nabla, rồi tóm tắt mạng mà tệp mô tả
usage-about-derive = Tính gradient của hàm mất mát bằng quy tắc chuỗi, và in ra các công thức
usage-about-graph = Vẽ đồ thị tính toán: Graphviz DOT hoặc SVG
usage-about-explain = Giải chi tiết một bước huấn luyện: lan truyền tiến, giá trị mất mát, lan truyền ngược, cập nhật
usage-about-gen = Sinh một chương trình huấn luyện cho mạng: một dự án Rust (Cargo) chạy độc lập, hoặc với --target pytorch là một dự án Python
usage-about-completions = In script tự hoàn thành lệnh (completion) của nabla cho một shell (xem README.md để biết đặt script ở đâu)
usage-about-man = In trang hướng dẫn (man page, định dạng roff): của nabla, hoặc với LỆNH thì của lệnh đó (nabla-LỆNH)
usage-about-help = In phần trợ giúp này, hoặc phần trợ giúp của lệnh được nêu

## Chỗ điền giá trị (`--format <ĐỊNH_DẠNG>`).

usage-value-command = LỆNH
usage-value-file = TỆP
usage-value-format = ĐỊNH_DẠNG
usage-value-form = DẠNG
usage-value-when = KHI_NÀO
usage-value-language = NGÔN_NGỮ
usage-value-names = CÁC_TÊN
usage-value-number = N
usage-value-weights = TRỌNG_SỐ.json
usage-value-data = DỮ_LIỆU.csv
usage-value-directory = THƯ_MỤC
usage-value-type = KIỂU
usage-value-project = DỰ_ÁN
usage-value-name = TÊN
usage-value-shell = SHELL

## Mỗi tuỳ chọn và đối số dùng để làm gì.

usage-color = Khi nào tô màu các thông báo lỗi, cảnh báo và các tiêu đề của kết quả dạng văn bản
usage-color-auto = Khi in ra terminal, trừ khi biến NO_COLOR được đặt
usage-color-always = Cả khi ghi vào tệp hay đường ống (pipe)
usage-color-never = Kể cả trên terminal cũng không tô màu
usage-lang = Ngôn ngữ của mọi thứ nabla viết ra. Mặc định: tiếng Việt nếu locale (biến đầu tiên được đặt trong LC_ALL, LC_MESSAGES, LANG) bắt đầu bằng `vi`, nếu không thì tiếng Anh
usage-lang-en = Tiếng Anh (English)
usage-lang-vi = Tiếng Việt
usage-file = Tệp .nabla, hoặc `-` để đọc từ đầu vào chuẩn (stdin)
usage-derive-wrt = Lấy gradient theo các đầu vào hoặc tham số này (cách nhau bằng dấu phẩy). Mặc định: mọi tham số; với tệp không có tham số thì mọi đầu vào
usage-explain-wrt = Lấy gradient theo các đầu vào hoặc tham số này (cách nhau bằng dấu phẩy)
usage-format = Định dạng của kết quả
usage-format-ipynb = Sổ tay Jupyter (notebook): bước giải chi tiết, kèm mã PyTorch kiểm tra lại
usage-derive-form = Dạng vectơ (mỗi lớp một dòng) hoặc dạng vô hướng (mỗi phần tử tham số một dòng)
usage-form-vector = Từng lớp một
usage-form-scalar = Từng phần tử một
usage-digits = Số chữ số có nghĩa của các số được làm tròn
usage-explain-form = Giải từng phần tử một (dạng vô hướng, scalar) hay từng lớp một (dạng vectơ, vector); mặc định: scalar với các mạng nhỏ
usage-steps = Chạy tiếp N bước Gradient Descent và in giá trị mất mát sau mỗi bước
usage-gradcheck = So sánh từng gradient giải tích với xấp xỉ sai phân trung tâm
usage-weights = Bắt đầu từ các giá trị tham số này (tệp JSON do tuỳ chọn --save của chương trình huấn luyện được sinh ra lưu lại)
usage-data = Lấy các ví dụ từ các hàng của tệp CSV này (theo các cột của chương trình huấn luyện được sinh ra) thay cho các giá trị cho trong tệp .nabla
usage-rows = Các hàng của tệp dữ liệu: `A..B` (đếm từ 1, tính cả hai đầu) hoặc một hàng `A`; không có tuỳ chọn này thì lấy mọi hàng
usage-out = Thư mục để ghi dự án vào (được tạo ra nếu chưa có)
usage-dtype = Kiểu số mà chương trình huấn luyện dùng để tính (với PyTorch: giá trị mặc định của tuỳ chọn `--dtype` của nó)
usage-target = Loại dự án cần sinh ra
usage-target-rust = Một chương trình huấn luyện Rust chạy độc lập (một dự án Cargo, không phụ thuộc thư viện nào)
usage-target-pytorch = Một dự án Python huấn luyện mạng bằng PyTorch
usage-name = Tên gói Cargo (cũng là tên chương trình). Mặc định: tên của tệp
usage-force = Ghi vào cả thư mục không rỗng, chỉ thay các tệp do nabla ghi (không đụng đến tệp nào khác)
usage-shell = Shell sẽ dùng script tự hoàn thành lệnh
usage-man-command = Lệnh cần in trang hướng dẫn
usage-help-command = Lệnh cần in phần trợ giúp

## Khi dòng lệnh viết sai.

usage-unexpected-argument = không nhận ra đối số '{ $argument }'
usage-unexpected-value = thừa giá trị '{ $value }' cho '{ $argument }': tuỳ chọn này không nhận thêm giá trị nào
usage-missing-arguments = thiếu các đối số bắt buộc sau:
usage-missing-command = '{ $command }' cần được gọi kèm một lệnh, nhưng chưa có lệnh nào
usage-commands-list = [các lệnh: { $commands }]
usage-unknown-command = không có lệnh '{ $command }'
usage-invalid-value = giá trị '{ $value }' không hợp lệ cho '{ $argument }'
usage-invalid-value-because = giá trị '{ $value }' không hợp lệ cho '{ $argument }': { $why }
usage-missing-value = '{ $argument }' cần một giá trị, nhưng chưa được cho giá trị nào
usage-used-twice = '{ $argument }' chỉ được dùng một lần
usage-conflict = đối số '{ $argument }' không dùng được cùng với { $others }
usage-not-utf8 = có đối số không phải là văn bản UTF-8 hợp lệ
usage-wrong-number-of-values = '{ $argument }' cần { $expected } giá trị, nhưng lại được cho { $count } giá trị
usage-cannot-read = không đọc được dòng lệnh: { $why }
usage-whole-number = cần một số nguyên không âm (0, 1, 2 …)
usage-whole-number-between = cần một số nguyên từ { $least } đến { $most }
usage-tip = gợi ý: { $tip }
usage-similar-argument = có tuỳ chọn gần giống: '{ $argument }'
usage-similar-command = có lệnh gần giống: { $commands }
usage-similar-value = có giá trị gần giống: '{ $value }'
usage-pass-as-value = để dùng '{ $argument }' làm giá trị, hãy viết '{ $written }'
usage-option-of-command = có '{ $written }'
usage-remove-double-dash = có lệnh '{ $command }'; muốn dùng lệnh đó thì hãy bỏ '--' đứng trước nó
usage-more-information = Để biết thêm, hãy thử '{ $help }'.

## Các mục của trang hướng dẫn (`nabla man`).

usage-man-name = TÊN
usage-man-synopsis = TÓM TẮT
usage-man-description = MÔ TẢ
usage-man-version = PHIÊN BẢN
