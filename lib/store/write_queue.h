#pragma once
// Runs an import's INSERT statements, either at once or on a second thread. An import spends
// about half its time parsing and decoding and half in SQLite; with the statements on their own
// thread, the two halves run side by side. The values are copied into chunks of a bounded queue,
// so memory stays flat whatever the input's size.
//
// One connection serves both threads, never at the same time: while the thread runs, the caller
// only queues. Anything else it does with the connection (a lookup, a prepare, a plain exec)
// comes after sync(), which waits until the thread has run everything queued and is idle.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "cilium/rows.h"
#include "store/db.h"
#include "util/time.h"

namespace kvsnap {

// Binds one value to parameter i (without copying text or blob bytes: they must outlive the run).
void bind_value(Stmt& s, int i, const SqlValue& v);

class WriteQueue {
 public:
  WriteQueue() = default;
  ~WriteQueue();  // drops what is still queued (a failed import) and ends the thread
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // From now on, run() queues for a second thread (when the machine has a second core).
  void start();
  // Runs what is queued, ends the thread; run() executes at once again. Rethrows as sync().
  void stop();
  // Binds the values to s's parameters 1..n and runs it, now or on the thread, in call order.
  // Values are copied when queued; a statement of more than 1 MiB of bytes waits for the queue
  // and runs at once, bound to the caller's bytes.
  void run(Stmt& s, std::span<const SqlValue> values);
  void run(Stmt& s, std::initializer_list<SqlValue> values) { run(s, std::span(values.begin(), values.size())); }
  // Waits until every statement queued so far has run. Rethrows the first error a statement
  // raised on the thread (a full disk, a constraint), after which the queue runs nothing more.
  void sync();

  // Where the time of the last start()..stop() went (kvimport --timings); all zero without a thread.
  struct Stats {
    bool threaded = false;
    double thread_wall = 0;  // seconds from start() to stop()
    double thread_cpu = 0;   // CPU seconds of the thread
    double thread_idle = 0;  // seconds the thread waited for statements
    double caller_wait = 0;  // seconds the caller waited for room in the queue or for sync()
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Value {
    SqlValue::Kind kind;
    int64_t i;
    size_t offset, size;  // text and blob bytes, in Chunk::bytes
  };
  struct Op {
    Stmt* stmt;
    size_t first, count;  // in Chunk::values
  };
  struct Chunk {
    std::vector<Op> ops;
    std::vector<Value> values;
    std::string bytes;
  };

  void push_filling();  // hands the chunk being filled to the thread, waiting while the queue is full
  void consume();       // the thread
  static void execute(Chunk& c);
  void rethrow_error();  // under the lock

  std::unique_ptr<Chunk> filling_;
  std::deque<std::unique_ptr<Chunk>> queued_, spare_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool busy_ = false;    // the thread is running a chunk
  bool ending_ = false;  // the thread should return
  std::exception_ptr error_;
  std::thread thread_;
  Stats stats_;
  Stopwatch started_;
};

}  // namespace kvsnap
