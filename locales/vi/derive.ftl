### nabla derive: công thức gradient, và ý nghĩa các ký hiệu.
# Các chỗ xuống dòng là của dạng văn bản; Markdown và LaTeX nối chúng thành đoạn văn.

derive-title = Gradient (độ dốc) của hàm mất mát { $loss } theo quy tắc chuỗi (dạng vectơ)
derive-title-scalar = Gradient (độ dốc) của hàm mất mát { $loss } theo quy tắc chuỗi (dạng vô hướng, lần lượt từng phần tử)
derive-batch-mean =
    { $mean } là trung bình giá trị mất mát của { $m } ví dụ trong lô, còn { $value }
    là một giá trị ở ví dụ { $i }. Gradient theo một tham số là trung bình { $average } của các phần do từng ví dụ đóng góp.
derive-batch-coupled =
    Các thống kê theo lô làm giá trị mất mát của mỗi ví dụ phụ thuộc vào giá trị của mọi ví dụ, nên
    gradient tại một giá trị của ví dụ { $i } được viết là { $gradient }: gradient của tổng các
    giá trị mất mát.
derive-compact =
    Dòng thứ hai cho cùng gradient đó là dạng gọn của chuẩn hoá theo lô (batch normalization): ba đường
    đi của nó, trực tiếp và qua trung bình, phương sai của lô, được gộp làm một.
derive-signal-of-example = { $delta } là gradient của { $loss } theo tổng có trọng số (net) của lớp { $layer } ở ví dụ { $i }.
derive-signal-coupled = { $delta } là gradient đó tại tổng có trọng số (net) của lớp { $layer } ở ví dụ { $i }.
derive-signal =
    { $delta } là gradient của { $loss } theo tổng có trọng số (net) { $net } của một lớp { $layer }
    (giá trị mà hàm kích hoạt của lớp nhận vào); { $odot } là tích từng phần tử, { $transpose } là chuyển vị, và hai
    đại lượng viết liền nhau là tích ma trận.
derive-products =
    { $odot } là tích từng phần tử, { $transpose } là chuyển vị, và hai đại lượng viết liền nhau là tích ma
    trận.
derive-fused =
    Hàm softmax và entropy chéo (cross-entropy) được lấy đạo hàm gộp thành một bước: với giá trị mục tiêu
    có tổng bằng 1 (one-hot, hoặc một phân phối), { $general } chính là { $one_hot }.
derive-rules-heading = Các quy tắc đạo hàm cục bộ được dùng
derive-where = với { $given }:
derive-scalar-note =
    Mỗi gradient là chuỗi các đạo hàm riêng dọc theo đường đi từ phần tử đó đến
    { $loss }, rồi đến tích của các đạo hàm cục bộ. { $net } là tổng có trọng số (net) của một lớp { $layer }
    (giá trị mà hàm kích hoạt của lớp nhận vào). Gradient nào là tổng theo nhiều đường đi thì có dòng riêng,
    và các dòng sau dùng lại nó.
