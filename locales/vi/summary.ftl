### nabla check: tóm tắt một mạng hợp lệ.

summary-valid = { $file }: một mạng hợp lệ
summary-dims = kích thước
summary-inputs = đầu vào
summary-targets = mục tiêu
summary-parameters = tham số
summary-constants = hằng số
summary-values = giá trị
summary-loss = mất mát
summary-given-values = = { $count } giá trị đã cho
summary-each-of = = each của { $count } ví dụ
summary-no-parameters = không có tham số: gradient được lấy theo các đầu vào
summary-parameters-line = { $count_text } giá trị huấn luyện được trong { $tensors } tham số ({ $memory } với kiểu f32)
summary-batch-of = một bước trên một lô (batch) gồm { $examples } ví dụ: giá trị mất mát { $loss } là trung bình trên các ví dụ của lô
summary-batch = một bước trên một lô (batch): giá trị mất mát { $loss } là trung bình trên các ví dụ của lô
summary-optimizer = bộ tối ưu: { $optimizer }
summary-optimizer-default = bộ tối ưu: { $optimizer } (mặc định: tệp không chỉ định bộ nào)
summary-optimizer-unused = bộ tối ưu: { $optimizer }, không dùng đến: tệp không có tham số nào để huấn luyện
summary-training = huấn luyện: { $settings }
