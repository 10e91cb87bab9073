### Chương trình huấn luyện do nabla gen sinh ra: README, --help và mọi câu chương trình nói.
###
### Các câu có mã bắt đầu bằng trainer-readme- hay trainer-usage- được nói lúc sinh chương
### trình. Các câu còn lại trở thành hàm trong src/words.rs của chương trình (xem bản tiếng Anh).
### Chỗ xuống dòng trong một câu là chỗ xuống dòng của chương trình.

## README.md

trainer-readme-intro =
    Chương trình huấn luyện độc lập cho mạng nơ-ron trong `{ $source }`, do `nabla gen` sinh ra
    (tính toán với số { $real }). Chương trình chỉ cần bộ công cụ Rust (bản 1.88 trở lên) và
    không phụ thuộc thư viện nào.
trainer-readme-numbers =
    Số thập phân được viết với dấu chấm như trong mã nguồn và trong tệp dữ liệu (0.05 tức là
    0,05).
trainer-readme-run-it = Cách chạy
trainer-readme-start-drawn =
    `train` bắt đầu từ các giá trị khởi tạo của `{ $source }`, sinh ngẫu nhiên với hạt giống
    (seed) cho trước (`--seed`), hoặc từ các trọng số trong `--init W.json`.
trainer-readme-start-given =
    `train` bắt đầu từ các giá trị cho trong `{ $source }`, hoặc từ các trọng số trong
    `--init W.json`.
trainer-readme-trains-shuffled =
    Chương trình huấn luyện bằng { $optimizer } trong { $epochs } epoch, mỗi lô (batch)
    { $batch } hàng, các hàng được xáo trộn lại sau mỗi epoch. Đó là các thiết lập trong tệp;
    có thể đổi chúng bằng `--lr`, `--epochs`, `--batch`, `--seed` và `--shuffle`/`--no-shuffle`.
trainer-readme-trains-in-order =
    Chương trình huấn luyện bằng { $optimizer } trong { $epochs } epoch, mỗi lô (batch)
    { $batch } hàng, các hàng giữ nguyên thứ tự trong tệp. Đó là các thiết lập trong tệp; có
    thể đổi chúng bằng `--lr`, `--epochs`, `--batch`, `--seed` và `--shuffle`/`--no-shuffle`.
trainer-readme-progress =
    Mỗi bước cập nhật trọng số ngược hướng gradient (độ dốc) của giá trị mất mát trung bình
    trên lô. Sau mỗi epoch, một dòng trên luồng lỗi chuẩn (stderr) cho biết giá trị mất mát;
    `--log loss.csv` ghi lại giá trị mất mát của từng epoch.
trainer-readme-progress-accuracy =
    Mỗi bước cập nhật trọng số ngược hướng gradient (độ dốc) của giá trị mất mát trung bình
    trên lô. Sau mỗi epoch, một dòng trên luồng lỗi chuẩn (stderr) cho biết giá trị mất mát và
    độ chính xác; `--log loss.csv` ghi lại giá trị mất mát của từng epoch.
trainer-readme-save =
    `--save W.json` lưu trọng số: nhiều nhất mỗi giây một lần (`--save-every SỐ_GIÂY`; 0 để lưu
    sau mỗi epoch), sau epoch cuối cùng, và khi Ctrl-C hoặc SIGTERM dừng việc huấn luyện: khi đó
    chương trình làm xong bước đang chạy, lưu trọng số rồi chỉ cách chạy tiếp (`--init W.json`).
    Nếu giá trị mất mát trở thành NaN hoặc vô cực, việc huấn luyện dừng lại và chương trình cho biết
    dừng ở đâu: thường là do tốc độ học quá lớn.
trainer-readme-threads =
    Một bước đủ nhiều việc được chia cho các lõi của bộ xử lý (`src/threads.rs`);
    `--threads N` đặt số luồng tối đa.
trainer-readme-threads-or-units =
    Một bước đủ nhiều việc được chia cho các lõi của bộ xử lý (`src/threads.rs`), hoặc cho hai
    lõi, mỗi lõi giữ một nửa số nơ-ron của lớp ẩn (`src/units.rs`); `--threads N` đặt số luồng
    tối đa.
trainer-readme-units =
    Một bước đủ nhiều việc được chia cho hai lõi của bộ xử lý, mỗi lõi giữ một nửa số nơ-ron của
    lớp ẩn (`src/units.rs`); `--threads N` đặt số luồng tối đa.
trainer-readme-parts =
    Một bước đủ nhiều việc được chia các hàng của lô cho các lõi của bộ xử lý, mỗi lõi tính
    phần của mình trên một luồng riêng (`src/train.rs`); `--threads N` đặt số luồng tối đa.
trainer-readme-one-thread = Mạng này đủ nhỏ để mỗi bước chỉ cần một luồng.
trainer-readme-bench = `--bench` in thêm tốc độ ổn định, tính bằng số ví dụ và GFLOP mỗi giây.
trainer-readme-statistics =
    Các thống kê theo lô của mạng (`batch_mean`, `batch_var`) được tính trên từng lô huấn luyện,
    vì vậy mỗi lô phải có ít nhất hai hàng (`--batch 2` trở lên; hàng bị lẻ ra khi chia lô thì
    không được dùng trong epoch đó). Trong lúc huấn luyện, chương trình giữ trung bình trượt của từng thống
    kê như `BatchNorm1d` của PyTorch (bắt đầu với trung bình 0 và phương sai 1, sau đó
    `0.9·running + 0.1·batch`, phương sai chia cho n − 1); `eval` và `predict` dùng các trung
    bình trượt này.
trainer-readme-data = Dữ liệu
trainer-readme-rows =
    Một tệp CSV, mỗi hàng là một ví dụ: { $columns }.
    Dòng tiêu đề có hay không đều được; các dòng trống được bỏ qua.
trainer-readme-class-column =
    Giá trị mục tiêu cũng có thể cho bằng một cột cuối duy nhất ghi lớp của ví dụ: một số
    từ 0, hoặc một nhãn dạng chữ (đánh số theo thứ tự xuất hiện lần đầu; `train` in ra cách
    đánh số).
trainer-readme-bad-rows =
    Một ô sai, một hàng thiếu hay thừa ô, hoặc một số không hữu hạn đều được báo kèm số dòng
    và số cột.
trainer-readme-predict-inputs = `predict` chỉ cần các cột đầu vào.
trainer-readme-predict-targets = `predict` cần cả các giá trị mục tiêu (vì đầu ra phụ thuộc vào chúng).
trainer-readme-input-columns = { $count } cột của đầu vào `{ $name }`
trainer-readme-target-columns = { $count } cột của giá trị mục tiêu `{ $name }`
trainer-readme-row-by-row = { $columns } (lần lượt từng hàng)
trainer-readme-then = { $first }, sau đó { $next }
trainer-readme-weights = Trọng số
trainer-readme-weights-intro = Tệp JSON, khoá là tên tham số, mỗi giá trị là các mảng lồng nhau theo kích thước của tham số:
trainer-readme-holds-number = một số
trainer-readme-holds-vector = một mảng gồm { $count } số
trainer-readme-holds-row = một mảng gồm 1 hàng, hàng đó là một mảng gồm { $count } số
trainer-readme-holds-matrix = một mảng gồm { $rows } hàng, mỗi hàng là một mảng gồm { $count } số
trainer-readme-holds-tensor = các mảng lồng nhau theo kích thước { $shape }, tất cả { $count } số
trainer-readme-running = sau đó là trung bình trượt của các thống kê theo lô: { $names }.
trainer-readme-exact =
    Các số được ghi sao cho khi đọc lại được đúng giá trị cũ. Khi lưu, chương trình ghi vào một
    tệp tạm, ghi hẳn tệp đó xuống đĩa rồi mới đổi tên, nên dù chương trình bị dừng vào lúc nào
    thì tệp trọng số vẫn nguyên vẹn.
trainer-readme-files = Các tệp
trainer-readme-file = tệp
trainer-readme-holds = nội dung
trainer-readme-file-model = mạng nơ-ron: các công thức, tham số, một lô ví dụ, lan truyền tiến và lan truyền ngược cho cả lô, mỗi câu lệnh nằm dưới công thức mà nó tính
trainer-readme-file-kernels = các hàm tính toán (kernel) mà các bước lan truyền và bộ tối ưu gọi (tích ma trận cho mọi hàng của một lô, softmax …), với các phiên bản AVX-512 và AVX2 được chọn khi chương trình chạy
trainer-readme-file-optim = bộ tối ưu { $optimizer }, đúng như PyTorch định nghĩa
trainer-readme-file-train = vòng lặp huấn luyện
trainer-readme-file-threads = bước huấn luyện được chia cho nhiều luồng
trainer-readme-file-checkpoint = lưu trọng số và nhật ký giá trị mất mát định kỳ, và dừng khi nhận Ctrl-C hoặc SIGTERM
trainer-readme-file-progress = dòng tiến độ và nhật ký giá trị mất mát
trainer-readme-file-units = vòng lặp huấn luyện trên hai luồng, mỗi bước được chia theo { $units } nơ-ron của lớp ẩn: mỗi luồng giữ { $half } nơ-ron, và hai luồng trao đổi tổng riêng phần của `{ $swapped }` mỗi bước một lần
trainer-readme-file-half = mạng nơ-ron như một trong hai luồng đó tính: các câu lệnh của `model.rs` cho { $half } nơ-ron của luồng
trainer-readme-file-data = bộ đọc tệp CSV
trainer-readme-file-weights = tệp trọng số: ghi và đọc JSON
trainer-readme-file-shortest = một số được viết bằng ít chữ số nhất mà khi đọc lại vẫn đúng là số `f32` đó
trainer-readme-file-rng = bộ sinh số ngẫu nhiên có hạt giống (giống của nabla)
trainer-readme-file-words = các câu chương trình nói, bằng ngôn ngữ đã chọn khi sinh chương trình
trainer-readme-file-main = dòng lệnh, và bộ cấp phát bộ nhớ căn các khối theo dòng bộ nhớ đệm (cache line)

## --help. Mỗi phần mô tả bắt đầu ở cột thứ 23; chỗ xuống dòng trong đó bắt đầu dòng sau ở cùng
## cột.

trainer-usage = cách dùng: { $program } <lệnh> DATA.csv [tuỳ chọn]
trainer-usage-commands = các lệnh:
trainer-usage-train = huấn luyện mạng trên các ví dụ trong DATA.csv
trainer-usage-eval = in giá trị mất mát trung bình (cần --weights)
trainer-usage-eval-accuracy = in giá trị mất mát trung bình và độ chính xác (cần --weights)
trainer-usage-predict = in đầu ra của mạng cho từng hàng (cần --weights)
trainer-usage-predict-class = in đầu ra của mạng cho từng hàng: lớp dự đoán (cần --weights)
trainer-usage-train-options = tuỳ chọn của train (mặc định lấy từ { $source }):
trainer-usage-epochs = số lượt duyệt dữ liệu ({ $epochs })
trainer-usage-batch = số ví dụ mỗi bước ({ $batch })
trainer-usage-lr = tốc độ học ({ $lr })
trainer-usage-seed = hạt giống của giá trị khởi tạo và của phép xáo trộn ({ $seed })
trainer-usage-no-shuffle = giữ các hàng theo thứ tự trong tệp
trainer-usage-shuffle = xáo trộn các hàng sau mỗi epoch
trainer-usage-default = { $option } (mặc định)
trainer-usage-init = bắt đầu từ các trọng số này
trainer-usage-save =
    lưu trọng số vào tệp này: định kỳ, sau epoch cuối cùng, và
    khi Ctrl-C hoặc SIGTERM dừng việc huấn luyện
trainer-usage-save-every =
    số giây giữa hai lần lưu (và hai lần ghi --log): 1; 0 để
    lưu sau mỗi epoch
trainer-usage-log = ghi giá trị mất mát của từng epoch vào tệp này
trainer-usage-quiet = không in tiến độ ra luồng lỗi chuẩn
trainer-usage-bench = in thêm tốc độ ổn định: số ví dụ và GFLOP mỗi giây
trainer-usage-threads = dùng nhiều nhất N luồng (mặc định và tối đa: mỗi lõi một luồng)
trainer-usage-threads-small =
    đọc dữ liệu bằng nhiều nhất N luồng (mặc định và tối đa: mỗi
    lõi một luồng); mạng này đủ nhỏ để huấn luyện trên một luồng
trainer-usage-threads-read =
    đọc dữ liệu bằng nhiều nhất N luồng (mặc định và tối đa: mỗi
    lõi một luồng)
trainer-usage-other-options = tuỳ chọn của eval và predict:
trainer-usage-weights = các trọng số sẽ dùng, do train --save ghi ra
trainer-usage-rows =
    Mỗi hàng gồm các cột đầu vào rồi đến các cột mục tiêu, theo thứ tự khai báo
    trong { $source }; dòng tiêu đề có hay không đều được.
trainer-usage-rows-class =
    Mỗi hàng gồm các cột đầu vào rồi đến các cột mục tiêu, theo thứ tự khai báo
    trong { $source }; dòng tiêu đề có hay không đều được. Giá trị mục tiêu cũng
    có thể là một cột ghi lớp.
trainer-usage-class-of = lớp của { $target }
trainer-usage-class = lớp

## Dòng lệnh.

trainer-error = lỗi: { $message }
trainer-usage-error =
    lỗi: { $message }
    (`{ $program } --help` liệt kê các lệnh và tuỳ chọn)
trainer-unknown-command = không có lệnh `{ $command }`
trainer-no-command = thiếu lệnh
trainer-needs-value = { $option } cần một giá trị
trainer-only-train = { $option } là tuỳ chọn của train
trainer-batch-at-least-one = --batch phải ít nhất là 1
trainer-lr-positive = --lr phải là một số dương
trainer-threads-at-least-one = --threads phải ít nhất là 1
trainer-save-every-seconds = --save-every nhận số giây: 0 hoặc một số dương
trainer-unknown-option = { $command } không có tuỳ chọn `{ $option }`
trainer-unexpected-argument = đối số thừa `{ $argument }`
trainer-takes-a-number = { $option } nhận một số, không nhận `{ $text }`
trainer-needs-data = { $command } cần một tệp dữ liệu
trainer-needs-weights = { $command } cần --weights W.json
trainer-cannot-write-output = không ghi được kết quả: { $error }

## Kết quả.

trainer-trained = đã huấn luyện { $epochs } epoch trên { $rows } hàng trong { $seconds } giây
trainer-loss = giá trị mất mát { $loss }
trainer-accuracy = độ chính xác { $percent }% (đúng { $correct } trên { $rows })
trainer-classes = các lớp: { $classes }
trainer-bench =
    tốc độ: { $speed } ví dụ/giây, { $gflops } GFLOP/giây ({ $epochs } epoch, { $threads } luồng)
trainer-bench-units =
    tốc độ: { $speed } ví dụ/giây, { $gflops } GFLOP/giây ({ $epochs } epoch, { $threads } luồng, mỗi luồng giữ một nửa số nơ-ron của lớp ẩn)
trainer-bench-no-epochs = tốc độ: không có epoch nào để đo

## Trong lúc huấn luyện: dòng tiến độ, thời gian, dừng lại.

trainer-progress = epoch { $epoch }/{ $epochs }  giá trị mất mát { $loss }
trainer-progress-accuracy = { $line }  độ chính xác { $percent }%
trainer-progress-elapsed = { $line }  đã chạy { $elapsed }
trainer-progress-left = { $line }, còn khoảng { $left }
trainer-seconds = { $seconds } giây
trainer-minutes = { $minutes } phút { $seconds } giây
trainer-stopped-in-epoch = đã dừng vì { $signal } sau bước trên lô { $batch } của epoch { $epoch }
trainer-stopped-after-epoch = đã dừng vì { $signal } sau epoch { $epoch }
trainer-not-saved = { $stopped }; trọng số chưa được lưu (hãy huấn luyện với --save W.json để giữ lại)
trainer-saved =
    { $stopped }; trọng số đã được lưu vào { $save }.
    Để chạy tiếp từ đó: { $command }
trainer-cannot-write = không ghi được { $path }: { $error }
trainer-cannot-write-weights = không ghi được trọng số vào { $path }: { $error }
trainer-thread-stopped = một luồng huấn luyện đã dừng đột ngột
trainer-one-over =
    lưu ý: { $rows } hàng chia thành các lô { $batch } hàng thì lẻ ra một hàng, mà các thống kê theo lô của mạng này cần mỗi lô ít nhất hai hàng: mỗi epoch chỉ huấn luyện trên { $trained } hàng
trainer-statistics-one-row =
    dữ liệu chỉ có một hàng, mà các thống kê theo lô của mạng này (`batch_mean`, `batch_var`) cần mỗi lô ít nhất hai hàng: phương sai của một hàng luôn bằng 0
trainer-statistics-batch-of-one =
    các thống kê theo lô của mạng này (`batch_mean`, `batch_var`) cần mỗi lô ít nhất hai hàng: phương sai của một hàng luôn bằng 0; hãy huấn luyện với --batch 2 trở lên

## Khi việc huấn luyện phân kỳ.

trainer-at-batch = epoch { $epoch }, lô { $batch }
trainer-at-epoch = epoch { $epoch }
trainer-at-last-step = epoch { $epoch }, lô { $batch } (bước cuối cùng)
trainer-loss-is = giá trị mất mát là { $loss }
trainer-loss-of-weights-is = giá trị mất mát của các trọng số mà bước đó tạo ra là { $loss }
trainer-sum-of-losses-is = tổng giá trị mất mát của các lô là { $total }
trainer-after-step = { $element } sau bước cập nhật
trainer-element-is = { $element } là { $value }
trainer-diverged =
    việc huấn luyện dừng lại ở { $at }: { $what }.
    Tốc độ học { $lr } có lẽ quá lớn: hãy thử một giá trị nhỏ hơn, chẳng hạn --lr { $smaller }
trainer-diverged-element =
    việc huấn luyện dừng lại ở { $at }: { $what }; { $element }.
    Tốc độ học { $lr } có lẽ quá lớn: hãy thử một giá trị nhỏ hơn, chẳng hạn --lr { $smaller }
trainer-diverged-finite =
    việc huấn luyện dừng lại ở { $at }: { $what }; mọi tham số vẫn hữu hạn, phần tử có trị tuyệt đối lớn nhất là { $largest }.
    Tốc độ học { $lr } có lẽ quá lớn: hãy thử một giá trị nhỏ hơn, chẳng hạn --lr { $smaller }

## Tệp dữ liệu.

trainer-cannot-read = không đọc được { $path }: { $error }
trainer-not-text = { $place }: không phải tệp văn bản (byte thứ { $byte } không phải UTF-8)
trainer-reading-thread-failed = { $path }: một luồng đọc tệp bị lỗi
trainer-empty-file = { $place }: tệp trống, không có hàng dữ liệu nào
trainer-header-only = { $place }: tệp có dòng tiêu đề nhưng không có hàng dữ liệu nào
trainer-not-an-index = `{ $value }` không phải chỉ số: { $column } nhận số nguyên từ 0 đến { $last }
trainer-the-header = dòng tiêu đề
trainer-row-one = hàng đầu tiên
trainer-short-row = { $place }: hàng thiếu ô: có { $found } cột, trong khi { $first } có { $columns } cột
trainer-long-row = { $place }: hàng thừa ô: có { $found } cột, trong khi { $first } có { $columns } cột
trainer-unclosed-quote = { $place }: một ô mở dấu ngoặc kép nhưng không đóng lại trên cùng dòng
trainer-or-class-column = { $expected }, hoặc { $columns } nếu giá trị mục tiêu là một cột ghi lớp
trainer-or-without-targets = { $expected }, hoặc { $columns } nếu không có giá trị mục tiêu
trainer-wrong-row = { $place }: hàng có { $found } cột, nhưng mạng cần { $expected }
trainer-in-named-column = { $place }: { $what } (cột `{ $name }`: { $holds })
trainer-in-column = { $place }: { $what } ({ $holds })
trainer-empty-cell = ô trống
trainer-too-large-for = `{ $cell }` quá lớn đối với kiểu { $real }
trainer-not-finite = `{ $cell }` không phải là số hữu hạn
trainer-not-a-number = `{ $cell }` không phải là số
trainer-class-missing = thiếu lớp
trainer-not-a-class = `{ $cell }` không phải lớp: các lớp được đánh số từ 0 đến { $last }
trainer-not-a-class-number = `{ $cell }` không phải số thứ tự của lớp, trong khi lớp ở hàng đầu tiên là một số
trainer-unknown-to-numbered = `{ $cell }` không phải lớp mà trọng số biết: chúng được huấn luyện với các lớp đánh số từ 0 đến { $last }
trainer-unknown-label = `{ $cell }` không phải lớp mà trọng số biết: các lớp của chúng là { $labels }
trainer-class-too-many = `{ $cell }` sẽ là một lớp thừa: giá trị mục tiêu có { $classes } lớp, { $labels }

## Tệp trọng số.

trainer-cannot-hold = { $element } là { $value }, giá trị mà tệp trọng số không ghi được
trainer-not-an-object = tệp trọng số phải là một đối tượng JSON có khoá là tên tham số
trainer-appears-twice = `{ $key }` xuất hiện hai lần
trainer-not-a-parameter = `{ $key }` không phải tham số của mạng này (các tham số của mạng là { $names })
trainer-should-be = `{ $name }` phải là { $shape }, { $found }
trainer-shape-number = một số
trainer-shape-vector = một mảng gồm { $count } số
trainer-shape-matrix = một mảng gồm { $rows } mảng con, mỗi mảng con { $count } số
trainer-shape-tensor = các mảng lồng nhau gồm { $dims } số
trainer-has-array = nhưng lại là một mảng gồm { $count } phần tử
trainer-has-number = nhưng lại là một số
trainer-has-object = nhưng lại là một đối tượng
trainer-has-text = nhưng lại là một chuỗi ký tự
trainer-missing = thiếu `{ $name }`
trainer-labels-not-texts = `{ $key }` phải là một mảng các chuỗi ký tự
trainer-too-many-labels = `{ $key }` có { $labels } nhãn, nhưng giá trị mục tiêu chỉ có { $classes } lớp
trainer-label-not-text = nhãn lớp phải là một chuỗi ký tự trong dấu ngoặc kép
trainer-label-empty-or-twice = nhãn lớp { $label } trống hoặc xuất hiện hai lần
trainer-text-after-object = còn chữ thừa sau đối tượng JSON
trainer-expected = cần `{ $wanted }` ở đây
trainer-nested-too-deeply = các mảng lồng nhau quá sâu
trainer-expected-value-control = cần một số, một mảng hoặc một đối tượng, nhưng gặp ký tự điều khiển { $found }
trainer-expected-value = cần một số, một mảng hoặc một đối tượng, nhưng gặp `{ $found }`
trainer-ends-before-value = tệp kết thúc ở chỗ lẽ ra phải có một giá trị
trainer-expected-comma-or-brace = cần `,` hoặc `{ "}" }` ở đây
trainer-expected-comma-or-bracket = cần `,` hoặc `]` ở đây
trainer-expected-name = cần tên tham số trong dấu ngoặc kép
trainer-ends-in-string = tệp kết thúc giữa một chuỗi ký tự
trainer-escape-needs-hex = chuỗi thoát `\u` cần bốn chữ số thập lục phân
trainer-unknown-escape = chuỗi thoát không hợp lệ trong một chuỗi ký tự
