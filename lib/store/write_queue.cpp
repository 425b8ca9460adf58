#include "store/write_queue.h"

namespace kvsnap {

namespace {

// A chunk goes to the thread at this many bytes or statements; at most kMaxQueued wait. With
// statements of more than kInlineBytes run at once, the queue holds a few MiB at most.
constexpr size_t kChunkBytes = 256 << 10;
constexpr size_t kChunkOps = 1024;
constexpr size_t kMaxQueued = 4;
// A statement with more bytes than this is not copied: it runs at once, after the queue, bound to
// the caller's bytes. Large values then cost what they cost without the queue (no copy of each,
// no chunk kept at their size), which keeps the bounds of docs/input-bounds.md.
constexpr size_t kInlineBytes = 1 << 20;

}  // namespace

void bind_value(Stmt& s, int i, const SqlValue& v) {
  switch (v.kind) {
    case SqlValue::Kind::Null: s.bind_null(i); break;
    case SqlValue::Kind::Int: s.bind(i, v.i); break;
    case SqlValue::Kind::Text: s.bind_text_ref(i, v.s); break;
    case SqlValue::Kind::Blob: s.bind_blob_ref(i, v.s); break;
  }
}

WriteQueue::~WriteQueue() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    queued_.clear();
    ending_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WriteQueue::start() {
  if (thread_.joinable() || std::thread::hardware_concurrency() < 2) return;
  ending_ = false;
  stats_ = Stats{};
  stats_.threaded = true;
  started_.restart();
  thread_ = std::thread([this] { consume(); });
}

void WriteQueue::stop() {
  if (!thread_.joinable()) return;
  sync();
  {
    std::lock_guard lock(mutex_);
    ending_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WriteQueue::run(Stmt& s, std::span<const SqlValue> values) {
  size_t bytes = 0;
  for (const auto& v : values) bytes += v.s.size();
  if (bytes > kInlineBytes) sync();  // the thread is idle from here: this thread may use the connection
  if (!thread_.joinable() || bytes > kInlineBytes) {
    int i = 1;
    for (const auto& v : values) bind_value(s, i++, v);
    s.run();
    return;
  }
  if (!filling_) {
    std::lock_guard lock(mutex_);
    if (!spare_.empty()) {
      filling_ = std::move(spare_.front());
      spare_.pop_front();
    } else {
      filling_ = std::make_unique<Chunk>();
    }
  }
  Chunk& c = *filling_;
  c.ops.push_back(Op{&s, c.values.size(), values.size()});
  for (const auto& v : values) {
    // Bound at once, text without a pointer is NULL (SQLite's rule; an empty blob stays a blob,
    // bind_blob_ref sees to that); the copy would have a pointer, so it is queued as that NULL.
    bool null_text = v.kind == SqlValue::Kind::Text && v.s.data() == nullptr;
    Value x{null_text ? SqlValue::Kind::Null : v.kind, v.i, c.bytes.size(), v.s.size()};
    if (x.kind == SqlValue::Kind::Text || x.kind == SqlValue::Kind::Blob) c.bytes.append(v.s);
    c.values.push_back(x);
  }
  if (c.bytes.size() >= kChunkBytes || c.ops.size() >= kChunkOps) push_filling();
}

void WriteQueue::push_filling() {
  std::unique_lock lock(mutex_);
  double waited = monotonic_seconds();
  changed_.wait(lock, [this] { return queued_.size() < kMaxQueued || error_; });
  stats_.caller_wait += monotonic_seconds() - waited;
  rethrow_error();
  queued_.push_back(std::move(filling_));
  lock.unlock();
  changed_.notify_all();
}

void WriteQueue::sync() {
  if (!thread_.joinable()) return;
  if (filling_ && !filling_->ops.empty()) push_filling();
  std::unique_lock lock(mutex_);
  double waited = monotonic_seconds();
  changed_.wait(lock, [this] { return (queued_.empty() && !busy_) || error_; });
  stats_.caller_wait += monotonic_seconds() - waited;
  rethrow_error();
}

void WriteQueue::rethrow_error() {
  if (error_) std::rethrow_exception(error_);
}

void WriteQueue::consume() {
  std::unique_lock lock(mutex_);
  for (;;) {
    double waited = monotonic_seconds();
    changed_.wait(lock, [this] { return !queued_.empty() || ending_; });
    stats_.thread_idle += monotonic_seconds() - waited;
    if (ending_) {
      stats_.thread_cpu = thread_cpu_seconds();
      stats_.thread_wall = started_.wall();
      return;
    }
    std::unique_ptr<Chunk> c = std::move(queued_.front());
    queued_.pop_front();
    busy_ = true;
    lock.unlock();
    std::exception_ptr failed;
    try {
      execute(*c);
    } catch (...) {
      failed = std::current_exception();
    }
    c->ops.clear();
    c->values.clear();
    c->bytes.clear();
    lock.lock();
    busy_ = false;
    if (failed) {
      error_ = failed;
      queued_.clear();
    }
    spare_.push_back(std::move(c));
    changed_.notify_all();
  }
}

void WriteQueue::execute(Chunk& c) {
  for (const Op& op : c.ops) {
    for (size_t k = 0; k < op.count; ++k) {
      const Value& v = c.values[op.first + k];
      SqlValue x;
      x.kind = v.kind;
      x.i = v.i;
      x.s = std::string_view(c.bytes).substr(v.offset, v.size);
      bind_value(*op.stmt, int(k + 1), x);
    }
    op.stmt->run();
  }
}

}  // namespace kvsnap
