### Dự án PyTorch do nabla gen --target pytorch viết: README, --help và mọi điều train.py nói.
###
### Các câu có mã bắt đầu bằng pytorch-readme- hoặc pytorch-usage- được viết ra lúc sinh dự án.
### Các câu còn lại thành mục của WORDS trong train.py, chương trình nói khi chạy: mỗi tham số
### thành một trường định dạng của Python (tên trong ngoặc nhọn), nên các câu này không có dạng
### số nhiều.

gen-pytorch-operation = `{ $operation }` bằng PyTorch

## README.md

pytorch-readme-title = Huấn luyện `{ $source }` bằng PyTorch
pytorch-readme-intro =
    Dự án PyTorch cho mạng nơ-ron của `{ $source }`, do `nabla gen --target pytorch` sinh ra.
    `model.py` là mạng, viết ra thành một `nn.Module`, mỗi dòng nằm dưới công thức mà nó tính;
    `train.py` huấn luyện, đánh giá và dự đoán với mạng, theo đúng các quy tắc của chương trình
    huấn luyện Rust của nabla (`nabla gen` không có `--target`): cùng tệp dữ liệu, cùng giá trị
    khởi tạo, cùng thứ tự các hàng, cùng bộ tối ưu và cùng tệp trọng số, nên trọng số dùng qua
    lại được giữa hai chương trình.
pytorch-readme-setup = Cài đặt
pytorch-readme-setup-text = Cần Python 3.9 trở lên và PyTorch (`requirements.txt`):
pytorch-readme-run = Chạy
pytorch-readme-run-text =
    Huấn luyện xong, chương trình in giá trị mất mát trung bình trên toàn bộ dữ liệu{ $accuracy };
    `--save` lưu trọng số để `eval` và `predict` đọc.
pytorch-readme-and-accuracy = { " " }và độ chính xác
pytorch-readme-settings =
    Mạng được huấn luyện bằng { $optimizer } trong { $epochs } epoch, mỗi lô (batch) { $batch }
    hàng ({ $order }), với hạt giống (seed) { $seed }: đó là thiết lập của tệp, đổi được bằng
    `--epochs`, `--batch`, `--lr`, `--seed` và `--shuffle`/`--no-shuffle`.
    `--device cpu|cuda|mps` chọn nơi tính (mặc định: GPU nếu PyTorch thấy, nếu không thì CPU)
    và `--dtype f32|f64` chọn kiểu số (mặc định { $dtype }; MPS không có f64).
pytorch-readme-shuffled = các hàng được xáo trộn mỗi epoch
pytorch-readme-in-order = các hàng theo thứ tự trong tệp
pytorch-readme-gpus = Một GPU, nhiều GPU, nhiều máy
pytorch-readme-gpus-text =
    Cùng tệp `train.py` chạy được dưới `torchrun`: mỗi tiến trình nhận phần của mình trong mỗi
    lô (một đoạn hàng liền nhau), tính gradient trên phần ấy với DistributedDataParallel (gloo
    trên CPU, nccl trên GPU), và các phần được cộng lại, nên mỗi bước chính là bước trên giá trị
    mất mát trung bình của cả lô. Tiến trình 0 lưu trọng số và in kết quả.
pytorch-readme-one-gpu = Một GPU:
pytorch-readme-several-gpus = Bốn GPU trên một máy:
pytorch-readme-several-machines =
    Hai máy, mỗi máy bốn GPU (chạy cùng một lệnh trên cả hai máy; `HOST` là địa chỉ của máy
    thứ nhất):
pytorch-readme-cpu-processes = Hai tiến trình trên CPU:
pytorch-readme-statistics =
    Các thống kê theo lô của mạng này được tính trên cả lô, gồm các hàng của mọi tiến trình
    (tổng của chúng được cộng lại giữa các tiến trình), giống như khi chỉ có một tiến trình.
pytorch-readme-what-equals =
    Cái gì bằng cái gì: với f64 trên CPU, trọng số sau khi huấn luyện bằng chương trình này
    bằng trọng số của chương trình Rust (`nabla gen --dtype f64`) sai khác chỉ do làm tròn
    (cỡ 1e-12 tương đối sau vài epoch; thứ tự các phép cộng bên trong PyTorch khác), và N tiến
    trình cho trọng số của một tiến trình, sai khác chỉ do làm tròn. Với f32, và trên GPU, điều
    đó vẫn đúng đến mức làm tròn của f32, mà quá trình huấn luyện có thể khuếch đại qua nhiều
    bước.
pytorch-readme-data = Dữ liệu
pytorch-readme-data-text =
    Một tệp CSV, mỗi hàng một ví dụ: { $columns }. Dòng đầu tiên mà các ô số không chứa số nào
    là dòng tiêu đề; các ô có thể đặt trong dấu ngoặc kép theo cách RFC 4180 viết.
pytorch-readme-data-class =
    Thay vào đó, giá trị mục tiêu có thể là một cột cuối chứa lớp: một số 0 … { $last }, hoặc
    một nhãn văn bản (đánh số theo thứ tự xuất hiện lần đầu; tệp trọng số giữ các nhãn, dưới
    khoá `"class labels"`).
pytorch-readme-data-index = Một cột chỉ số chứa một số nguyên: { $columns }.
pytorch-readme-data-maps =
    Một giá trị ba chiều ({ $names }) lấy các phần tử theo từng hàng, hết kênh này đến kênh
    khác: một ảnh là các điểm ảnh của nó theo thứ tự đọc.
pytorch-readme-weights = Trọng số
pytorch-readme-weights-text =
    JSON theo tên tham số ({ $names }), mỗi giá trị là các mảng lồng nhau theo hình dạng đã
    khai báo: chính các tệp mà chương trình Rust đọc và ghi.
pytorch-readme-weights-running =
    Các trung bình trượt của thống kê theo lô đứng sau các tham số: { $names }.
pytorch-readme-files = Các tệp
pytorch-readme-file-model = mạng, một `nn.Module`: mỗi dòng dưới công thức của nó, các bảng tham số và cột
pytorch-readme-file-train = dòng lệnh: tệp dữ liệu, giá trị khởi tạo, huấn luyện, đánh giá, dự đoán, tệp trọng số
pytorch-readme-file-requirements = PyTorch, thư viện duy nhất cần cài

## train.py --help

pytorch-usage = cách dùng: python train.py <lệnh> DATA.csv [tuỳ chọn]
pytorch-usage-commands = các lệnh:
pytorch-usage-train = huấn luyện mạng trên các ví dụ trong DATA.csv
pytorch-usage-eval = in giá trị mất mát trung bình (cần --weights)
pytorch-usage-eval-accuracy = in giá trị mất mát trung bình và độ chính xác (cần --weights)
pytorch-usage-predict = in đầu ra của mạng cho từng hàng (cần --weights)
pytorch-usage-predict-class = in lớp mà mạng dự đoán cho từng hàng (cần --weights)
pytorch-usage-train-options = tuỳ chọn của train (mặc định lấy từ { $source }):
pytorch-usage-epochs = số lượt duyệt dữ liệu ({ $epochs })
pytorch-usage-batch = số ví dụ mỗi bước ({ $batch })
pytorch-usage-lr = tốc độ học ({ $lr })
pytorch-usage-seed = hạt giống của giá trị khởi tạo và của phép xáo trộn ({ $seed })
pytorch-usage-no-shuffle = giữ các hàng theo thứ tự trong tệp
pytorch-usage-shuffle = xáo trộn các hàng mỗi epoch
pytorch-usage-default = { $what } (mặc định)
pytorch-usage-init = bắt đầu từ các trọng số này
pytorch-usage-save = lưu trọng số vào đó sau epoch cuối
pytorch-usage-log = ghi giá trị mất mát của từng epoch vào đó
pytorch-usage-quiet = không in tiến độ ra luồng lỗi chuẩn
pytorch-usage-other-options = tuỳ chọn của eval và predict:
pytorch-usage-weights = các trọng số dùng để tính, như train --save đã ghi
pytorch-usage-every-command = tuỳ chọn của mọi lệnh:
pytorch-usage-device = nơi tính (mặc định: cuda nếu có GPU, nếu không thì cpu)
pytorch-usage-dtype = kiểu số ({ $dtype })
pytorch-usage-torchrun = Dưới torchrun --nproc_per_node N, các tiến trình chia nhau từng lô.

## Những điều train.py nói khi chạy

pytorch-error = lỗi: { $message }
pytorch-see-help = (`python { $program } --help` liệt kê các lệnh và tuỳ chọn)
pytorch-no-command = chưa có lệnh nào
pytorch-unknown-command = không có lệnh `{ $command }`
pytorch-needs-value = { $option } cần một giá trị
pytorch-only-train = { $option } là tuỳ chọn của train
pytorch-batch-at-least-one = --batch phải ít nhất là 1
pytorch-lr-positive = --lr phải là một số dương
pytorch-device-choices = --device nhận cpu, cuda hoặc mps, không nhận `{ $device }`
pytorch-dtype-choices = --dtype nhận f32 hoặc f64, không nhận `{ $dtype }`
pytorch-unknown-option = { $command } không có tuỳ chọn `{ $option }`
pytorch-unexpected-argument = tham số thừa `{ $argument }`
pytorch-takes-a-whole-number = { $option } nhận một số nguyên, không nhận `{ $text }`
pytorch-takes-a-number = { $option } nhận một số, không nhận `{ $text }`
pytorch-needs-data = { $command } cần một tệp dữ liệu
pytorch-needs-weights = { $command } cần --weights W.json
pytorch-no-cuda = --device cuda: PyTorch không thấy GPU CUDA nào ở đây
pytorch-no-mps = --device mps: PyTorch không thấy GPU Apple (MPS) nào ở đây
pytorch-mps-f64 = --device mps chỉ tính bằng f32: hãy thêm --dtype f32
pytorch-cannot-read = không đọc được { $path }: { $error }
pytorch-cannot-write = không ghi được { $path }: { $error }
pytorch-not-utf8 = { $path }:{ $line }:{ $column }: không phải tệp văn bản (byte thứ { $byte } không phải UTF-8)
pytorch-empty-file = { $path }:1:1: tệp rỗng: không có hàng dữ liệu nào
pytorch-header-no-rows = { $path }:{ $line }:1: tệp có dòng tiêu đề nhưng không có hàng dữ liệu nào
pytorch-unclosed-quote = { $path }:{ $line }:{ $column }: một ô mở dấu ngoặc kép mà không đóng trên dòng của nó
pytorch-row-needs = { $path }:{ $line }:{ $column }: một hàng có { $found } cột, nhưng mạng cần { $expected }
pytorch-or-class-column = , hoặc { $columns } với giá trị mục tiêu là một cột lớp
pytorch-or-without-targets = , hoặc { $columns } không có giá trị mục tiêu
pytorch-short-row = { $path }:{ $line }:{ $column }: hàng thiếu cột: { $found } cột, trong khi { $first } có { $columns }
pytorch-long-row = { $path }:{ $line }:{ $column }: hàng thừa cột: { $found } cột, trong khi { $first } có { $columns }
pytorch-the-header = dòng tiêu đề
pytorch-row-1 = hàng 1
pytorch-at-column = { $path }:{ $line }:{ $column }: { $what } ({ $holds })
pytorch-at-named-column = { $path }:{ $line }:{ $column }: { $what } (cột `{ $name }`: { $holds })
pytorch-class-of = lớp của { $target }
pytorch-cell-empty = ô này trống
pytorch-not-a-number = `{ $cell }` không phải là số
pytorch-not-finite = `{ $cell }` không phải là số hữu hạn
pytorch-too-large = `{ $cell }` quá lớn đối với kiểu số của chương trình
pytorch-not-an-index = `{ $value }` không phải là chỉ số: { $column } nhận các số nguyên từ 0 đến { $last }
pytorch-class-missing = thiếu lớp
pytorch-not-a-class = `{ $cell }` không phải là lớp: các lớp được đánh số từ 0 đến { $last }
pytorch-class-not-a-number = `{ $cell }` không phải là số thứ tự của lớp, trong khi lớp ở hàng đầu là một số
pytorch-unknown-label-numbered = `{ $cell }` không phải là lớp mà tệp trọng số biết: chúng được huấn luyện với các lớp đánh số từ 0 đến { $last }
pytorch-unknown-label = `{ $cell }` không phải là lớp mà tệp trọng số biết: các lớp của chúng là { $labels }
pytorch-label-too-many = `{ $cell }` sẽ là một lớp thừa: giá trị mục tiêu có { $classes } lớp, { $labels }
pytorch-weights-syntax = { $path }:{ $line }:{ $column }: không phải JSON: { $what }
pytorch-weights-not-object = { $path }:1:1: tệp trọng số là một đối tượng JSON theo tên tham số
pytorch-weights-twice = { $path }:{ $line }:{ $column }: `{ $key }` xuất hiện hai lần
pytorch-weights-unknown = { $path }:{ $line }:{ $column }: `{ $key }` không phải là tham số của mạng này (các tham số của nó là { $names })
pytorch-weights-shape = { $path }:{ $line }:{ $column }: `{ $key }` phải là { $shape }
pytorch-weights-missing = { $path }:{ $line }:{ $column }: thiếu `{ $key }`
pytorch-weights-labels = { $path }:{ $line }:{ $column }: các nhãn lớp phải là một mảng các văn bản khác nhau, nhiều nhất { $classes }
pytorch-shape-number = một số
pytorch-shape-vector = một mảng { $n } số
pytorch-shape-matrix = một mảng { $rows } mảng, mỗi mảng { $columns } số
pytorch-shape-tensor = các mảng lồng nhau gồm { $dims } số
pytorch-cannot-hold = { $element } bằng { $value }, giá trị mà tệp trọng số không chứa được
pytorch-classes-numbered = các lớp: { $classes }
pytorch-one-row-batches = các thống kê theo lô (`batch_mean`, `batch_var`) của mạng này cần ít nhất hai hàng mỗi lô: phương sai của một hàng bằng 0; hãy huấn luyện với --batch 2 trở lên
pytorch-one-row-data = dữ liệu chỉ có một hàng, mà các thống kê theo lô (`batch_mean`, `batch_var`) của mạng này cần ít nhất hai hàng mỗi lô: phương sai của một hàng bằng 0
pytorch-one-row-left = lưu ý: { $rows } hàng chia thành các lô { $batch } hàng thì thừa một hàng, mà các thống kê theo lô của mạng này cần hai hàng mỗi lô: mỗi epoch huấn luyện trên { $trained } hàng
pytorch-at-batch = epoch { $epoch }, lô { $batch }
pytorch-at-epoch = epoch { $epoch }
pytorch-at-last-step = epoch { $epoch } (bước cuối)
pytorch-the-loss-is = giá trị mất mát là { $loss }
pytorch-the-loss-of-the-last-weights = giá trị mất mát của các trọng số mà bước đó tạo ra là { $loss }
pytorch-diverged =
    huấn luyện dừng ở { $at }: { $what }.
    Tốc độ học { $lr } có lẽ quá lớn: hãy thử một giá trị nhỏ hơn, chẳng hạn --lr { $smaller }
pytorch-progress-epoch = epoch { $epoch }/{ $epochs }  mất mát { $loss }
pytorch-progress-accuracy = { "  " }độ chính xác { $accuracy }%
pytorch-progress-elapsed = { "  " }đã chạy { $elapsed }
pytorch-progress-left = , còn khoảng { $left }
pytorch-stopped-saved = đã dừng bởi Ctrl-C; các trọng số ở { $path }
pytorch-stopped-not-saved = đã dừng bởi Ctrl-C; các trọng số chưa được lưu (hãy huấn luyện với --save W.json để giữ chúng)
pytorch-trained = đã huấn luyện { $epochs } epoch trên { $rows } hàng trong { $seconds } giây
pytorch-result-loss = mất mát { $loss }
pytorch-result-accuracy = độ chính xác { $accuracy }% ({ $correct } trên { $rows })
