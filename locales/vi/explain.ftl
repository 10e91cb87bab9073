### nabla explain: bước giải chi tiết. Mỗi định dạng có một trang dùng các câu này; công thức
### được đưa vào dưới dạng đối số, đã sắp chữ cho định dạng đó. Chỗ xuống dòng là của dạng văn bản.

explain-title-step = Giải chi tiết một bước Gradient Descent (hạ gradient)
explain-title-chain = Giải chi tiết quy tắc chuỗi
explain-intro =
    Số thập phân được viết với dấu chấm như trong công thức (0.3775 tức là 0,3775). Gradient
    (độ dốc) của hàm mất mát theo một tham số cho biết giá trị mất mát thay đổi nhanh thế nào
    khi tham số đó thay đổi.
explain-by = theo { $rules }
explain-approximation =
    (từ đây trở đi các giá trị chỉ là xấp xỉ: giá trị của hàm này tại một số hữu tỉ nói chung
    là số vô tỉ, nên không phân số nào bằng đúng { $expression })
explain-compact-note =
    (dạng gọn của chuẩn hoá theo lô: cùng gradient đó, ba đường đi — trực tiếp, qua trung bình
    và qua phương sai của lô — gộp thành một)
explain-picks-row = ({ $choice } chọn hàng thứ { $place } của { $from })
explain-picks-element = ({ $choice } chọn phần tử thứ { $place } của { $from })
explain-pool-tie =
    ({ $elements } cùng là giá trị lớn nhất của cửa sổ này: phần tử đầu tiên
    theo thứ tự đọc, { $first }, được lấy làm giá trị lớn nhất)
explain-pool-tie-gradient =
    ({ $elements } cùng là giá trị lớn nhất của cửa sổ này: phần tử đầu tiên
    theo thứ tự đọc, { $first }, nhận gradient của cửa sổ, các phần tử còn lại nhận 0)
explain-kink-relu =
    ({ $at } là điểm gãy của relu: tại đó nabla lấy { $rule },
    như các thư viện học sâu vẫn làm)
explain-kink-abs =
    ({ $at } là điểm gãy của abs: tại đó nabla lấy { $rule },
    như các thư viện học sâu vẫn làm)
explain-section-data = 1. Mạng nơ-ron và dữ liệu
explain-given = Cho:
explain-read-from = Giá trị của { $names } được đọc từ tệp { $file }.
explain-drawn =
    Giá trị khởi tạo của { $drawn } được sinh ngẫu nhiên với hạt giống (seed) { $seed },
    giống như chương trình huấn luyện do nabla sinh ra; các giá trị này là xấp xỉ.
explain-batch =
    Đây là các giá trị của một lô (batch) gồm { $m } ví dụ; chỉ số trên cho biết ví dụ:
    { $loss_i } là giá trị mất mát của ví dụ i. Bước Gradient Descent được thực hiện trên giá trị
    mất mát của cả lô, tức trung bình { $mean } của các giá trị mất mát của
    từng ví dụ, nên gradient theo mỗi tham số là trung bình các phần đóng góp của từng ví dụ.
explain-rows = Đó là các hàng từ { $first } đến { $last } của tệp { $file }.
explain-coupled =
    Các thống kê theo lô khiến giá trị mất mát của mỗi ví dụ phụ thuộc vào giá trị của mọi ví dụ:
    gradient tại một giá trị của ví dụ i được viết là { $gradient }, tức
    gradient của tổng các giá trị mất mát.
explain-network-computes = Mạng nơ-ron tính như sau:

explain-section-forward = 2. Lan truyền tiến
explain-section-forward-scalar = 2. Lan truyền tiến: tính mọi giá trị
explain-section-forward-layers = 2. Lan truyền tiến: tính mọi giá trị, gồm tổng có trọng số (net) và đầu ra của từng lớp
explain-nothing-before-loss = (không có gì phải tính trước hàm mất mát: nó dùng trực tiếp các giá trị đã cho)
explain-section-loss = 3. Giá trị mất mát
explain-section-backward-scalar = 4. Lan truyền ngược: quy tắc chuỗi, lần lượt từng phần tử
explain-section-backward-vector = 4. Lan truyền ngược: quy tắc chuỗi, lần lượt từng lớp
explain-rules-intro = Các quy tắc đạo hàm cục bộ được dùng, đúng với mọi giá trị mà các chữ cái đại diện:
explain-relu-prime =
    { $derivative } bằng 1 khi { $positive } và bằng 0 trong các trường hợp còn lại; tại điểm gãy
    { $kink } nabla lấy giá trị 0, như các thư viện học sâu vẫn làm.
explain-sign =
    { $sign } bằng 1, −1 hoặc 0 tuỳ theo { $z } dương, âm hay bằng 0; tại điểm gãy nabla
    lấy giá trị 0.
explain-kronecker = { $delta } bằng 1 khi { $equal } và bằng 0 trong các trường hợp còn lại.
explain-fused =
    Hàm softmax và entropy chéo (cross-entropy) được lấy đạo hàm gộp thành một bước; với
    giá trị mục tiêu có tổng bằng 1, { $general } chính là { $one_hot }.
explain-rules-named = Dòng nào suy ra từ các quy tắc thì ghi rõ các quy tắc đó ("theo (1)").
explain-signal-batch =
    Ở đây { $delta } là tín hiệu lỗi của ví dụ i tại tổng có trọng số (net) { $net }
    của một lớp { $layer }, tức gradient của { $loss_i } theo đại lượng đó; { $odot } là tích từng phần tử
    (tích Hadamard), { $transpose } là chuyển vị, và hai đại lượng viết liền nhau là tích ma trận.
explain-signal-batch-coupled =
    Ở đây { $delta } là tín hiệu lỗi của ví dụ i tại tổng có trọng số (net) { $net }
    của một lớp { $layer }, tức gradient của { $loss_i } theo đại lượng đó (khi có
    thống kê theo lô: gradient của tổng các giá trị mất mát); { $odot } là tích từng phần tử
    (tích Hadamard), { $transpose } là chuyển vị, và hai đại lượng viết liền nhau là tích ma trận.
explain-signal =
    Ở đây { $delta } là gradient của { $loss } theo tổng có trọng số (net) { $net } của một lớp { $layer },
    tức giá trị mà hàm kích hoạt của lớp đó nhận vào; { $odot } là tích từng phần tử (tích Hadamard), { $transpose }
    là chuyển vị, và hai đại lượng viết liền nhau là tích ma trận.

explain-section-update = 5. Cập nhật tham số theo Gradient Descent
explain-sgd =
    Ta cập nhật mỗi tham số bằng cách đi ngược hướng gradient của hàm mất mát theo tham
    số đó, với độ dài bước tỉ lệ với tốc độ học η:
explain-momentum =
    Gradient Descent ngẫu nhiên với quán tính (momentum). Vận tốc { $velocity } của mỗi tham số bắt đầu bằng
    0, nên ở bước đầu tiên { $first_step }:
explain-adam =
    Bộ tối ưu Adam. Các mô-men { $first_moment } và { $second_moment } của mỗi tham số bắt đầu bằng 0; ở bước đầu tiên,
    phép hiệu chỉnh độ chệch (bias correction) chia chúng cho { $one_minus_beta1 } và { $one_minus_beta2 }:
explain-with-settings = với { $settings }, và { $gradient } là gradient của { $loss }.
explain-both = { $first } và { $second }
explain-adam-first-step =
    Ở bước đầu tiên này { $first_step }, nên { $first_move }: mỗi
    tham số dịch chuyển gần đúng bằng { $learning_rate } theo hướng ngược dấu gradient của nó, dù
    gradient lớn hay nhỏ.

explain-section-steps = 6. Chạy tiếp { $steps } bước Gradient Descent
explain-float-not-rational = (tính bằng số thực float64: các giá trị của mạng không phải là số hữu tỉ)
explain-float-optimizer =
    (tính bằng số thực float64: bộ tối ưu này giữ những trạng thái mà phép tính chính xác không
    theo được)
explain-float-grew =
    (chính xác trong { $after } bước đầu; sau đó các phân số chính xác trở nên quá dài, không còn
    hữu ích, nên phần còn lại được tính bằng số thực float64)
explain-every-value-exact = (mọi giá trị đều chính xác)
explain-heading-step = bước
explain-heading-loss = giá trị mất mát
explain-diverged =
    Từ bước { $step }, giá trị mất mát không còn là một số hữu hạn: các bước cập nhật nhảy quá
    xa. Hãy thử một tốc độ học nhỏ hơn.
explain-after-last-step = Sau bước cuối cùng:

explain-check-heading = Kiểm tra gradient
explain-check-intro =
    so sánh từng gradient giải tích với xấp xỉ sai phân trung tâm
    { $difference } theo một trọng số { $weight }, tính bằng số thực float64 với { $step_rule }
explain-check-gradient = gradient
explain-check-derived = giải tích
explain-check-finite-difference = sai phân hữu hạn
explain-check-relative-error = sai số tương đối
explain-checks-agree = Mọi gradient giải tích đều khớp với xấp xỉ sai phân của nó.
explain-checks-disagree =
    (!) đánh dấu chỗ lệch nhau quá { $tolerance }: gần một điểm gãy, hoặc ở vùng rất phẳng, chính sai
    phân hữu hạn cũng kém chính xác.

explain-numbers-label = Cách ghi số:
explain-numbers =
    { $equals } là giá trị chính xác; { $approx } là giá trị đã làm tròn đến { $digits } chữ số có
    nghĩa (nếu phần bỏ đi đúng bằng một nửa thì làm tròn ra xa số 0), hoặc là giá trị xấp xỉ.
explain-float-digits =
    Các giá trị xấp xỉ được tính bằng số thực
    float64, vốn chỉ giữ khoảng 16 chữ số có nghĩa: chúng được ghi với nhiều nhất { $most } chữ số.

## Đồ thị tính toán và đường cong giá trị mất mát của trang HTML.

explain-graph-heading = Đồ thị tính toán
explain-graph-caption = Mỗi ô là một giá trị do tệp cho, hoặc một phép toán trên các ô mà mũi tên của nó đi ra (từ trái sang phải, đúng thứ tự các toán hạng), kèm theo giá trị của nó và, bên dưới, { $gradient } của nó: gradient của hàm mất mát tại giá trị đó, ghi là { $unnamed } khi giá trị không có tên. Tham số màu vàng, dữ liệu màu xanh, hằng số màu xám, hàm mất mát màu đỏ.
explain-plot-title = Giá trị mất mát sau mỗi bước
explain-plot-title-log = Giá trị mất mát sau mỗi bước (thang logarit)
explain-axis-loss-log = giá trị mất mát (thang logarit)
# Nhãn trên một bản đồ đặc trưng (feature map) viết thành lưới.
explain-grid-channel = kênh { $channel }
explain-grid-filter = bộ lọc { $filter }, kênh { $channel }
explain-conv-note =
    Gradient theo nhân (kernel) { $correlate } là tương quan chéo (correlation) của đầu vào
    { $input } với gradient truyền về từ phía sau { $upstream }: trượt { $upstream } trên { $input }
    (với bước trượt và phần đệm của phép tích chập) rồi cộng các tích tại mỗi vị trí.
    Gradient theo đầu vào { $full } là tích chập đầy đủ (full convolution) của
    { $upstream } với nhân lật { $flipped }, tức là { $kernel } xoay nửa vòng (180°): gradient của
    mỗi đầu ra đi ngược qua nhân về các đầu vào đã tạo ra nó.
explain-max-pool-note =
    Gộp cực đại (max pooling) chuyển gradient của mỗi cửa sổ về phần tử lớn nhất của cửa sổ đó:
    { $mask } bằng 1 tại phần tử lớn nhất của mỗi cửa sổ { $window }×{ $window } (phần tử
    đầu tiên theo thứ tự đọc khi có nhiều phần tử bằng nhau) và bằng 0 ở chỗ khác; { $upsample }
    lặp lại mỗi phần tử của gradient truyền về trên cửa sổ của nó.
explain-avg-pool-note =
    Gộp trung bình (average pooling) chia đều gradient của mỗi cửa sổ: { $upsample } lặp lại
    mỗi phần tử của gradient truyền về trên cửa sổ { $window }×{ $window } của nó, và mọi phần tử
    trong cửa sổ nhận một phần bằng nhau.
explain-repeat-note =
    { $repeat } lặp lại gradient dọc theo trục { $axis }:
    mọi phần tử đã được cộng vào tổng đều nhận nó.
explain-ones =
    { $ones } là tensor có mọi phần tử bằng 1, với kích thước mà vị trí của nó trong công
    thức cần: một số nhân với { $ones } là số đó ở mọi phần tử.
explain-softmax-sum-note =
    Phương trình cuối là phương trình đầu lấy tổng theo { $i } bằng quy tắc chuỗi. Các phần tử
    của { $gradient } có tổng bằng 0: cộng cùng một số vào mọi phần tử của { $z } không làm
    thay đổi cả softmax lẫn log-softmax của nó.
explain-softmax-axis-note =
    Theo một trục, quy tắc này áp dụng trên từng dòng dọc theo trục đó (chẳng hạn
    từng hàng điểm số của cơ chế chú ý (attention)) như trên một vectơ: { $i } và { $j }
    là các vị trí trên cùng một dòng, và các phần tử thuộc những dòng khác nhau
    không ảnh hưởng đến nhau.
explain-softmax-repeat-note =
    Trong một gradient, { $repeat } là { $v } được lặp lại { $n } lần dọc theo trục { $a }:
    tổng của mỗi dòng được đặt lại vào mọi vị trí của dòng đó.

## The notebook (--format ipynb): its own sentences, and the comments and messages of its code.

explain-notebook-how =
    Chạy lần lượt các ô từ trên xuống. Mỗi ô mã tính lại phần của nó bằng PyTorch, với
    float64, và in ra sai lệch lớn nhất so với các giá trị đã giải tay (sai lệch tương đối khi
    giá trị lớn hơn 1, còn lại là sai lệch tuyệt đối); ô cuối cùng cho biết mọi sai lệch có
    nhỏ hơn { $tolerance } hay không. Mã cần PyTorch ({ $install }).
explain-notebook-setup = PyTorch với float64, như các giá trị đã giải tay; compare() in ra giá trị của PyTorch lệch bao nhiêu so với chúng.
explain-notebook-no-gradient = giá trị mà hàm mất mát không dùng đến thì không có gradient: gradient bằng 0
explain-notebook-given = Các giá trị của mục 1: dữ liệu có một hàng cho mỗi ví dụ (ở đây có { $rows } hàng).
explain-notebook-forward = Lan truyền tiến và giá trị mất mát của từng ví dụ, từng dòng đúng như mạng định nghĩa.
explain-notebook-loss = Giá trị mất mát của bước là trung bình giá trị mất mát của các ví dụ.
explain-notebook-backward = Autograd lấy đạo hàm của hàm mất mát: mỗi gradient nằm trong .grad của tensor tương ứng.
explain-notebook-update = Một bước của bộ tối ưu PyTorch, với các thiết lập của phần cập nhật.
explain-notebook-steps = Lại từ các giá trị ban đầu: chạy { $steps } bước, và giá trị mất mát trước mỗi bước và sau bước cuối.
explain-notebook-differences = Sai lệch lớn nhất so với các giá trị đã giải tay:
explain-notebook-agrees = Mọi giá trị đều khớp với bước đã giải tay: sai lệch lớn nhất là { $largest }, nhỏ hơn { $tolerance }.
explain-notebook-differs = Có giá trị lệch khỏi bước đã giải tay { $largest }, lớn hơn { $tolerance }.
explain-notebook-untranslatable = các ô mã của notebook chưa tính được { $operation } bằng PyTorch; các định dạng khác vẫn trình bày được bước này
