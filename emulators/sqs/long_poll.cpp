// SQS long polling: a ReceiveMessage that finds nothing waits (WaitTimeSeconds) as a waiter of
// its queue, holding no thread. A send, a visibility change to 0 or a message becoming visible
// serves it at once; its deadline answers it empty.
#include <spdlog/spdlog.h>

#include "sqs/errors.hpp"
#include "sqs/service_impl.hpp"

namespace awan::sqs {

void SqsService::invoke(const RequestContext& ctx, const std::string& operation, json input, Completion done) {
  if (operation != "ReceiveMessage") return done(call(ctx, operation, std::move(input)));
  if (!input.is_object()) input = json::object();
  std::unique_lock lock(mu_);
  ctx_ = &ctx;
  Result result;
  bool waiting = false;
  try {
    Queue& q = require_queue(input);
    ReceiveRequest r = parse_receive(q, input);
    json out = take_messages(q, r);
    if (out.empty() && r.wait_s > 0 && env_.scheduler && *alive_) {
      wait_for_messages(std::move(r), std::move(done));
      waiting = true;
    } else {
      result = Result::ok(std::move(out));
    }
  } catch (const AwsError& e) {
    result = Result::fail(e);
  } catch (const storage::SqliteError& e) {
    spdlog::error("sqs ReceiveMessage: {}", e.what());
    result = Result::fail(AwsError::internal());
  }
  run_ready(lock);
  if (!waiting) done(std::move(result));
}

void SqsService::wait_for_messages(ReceiveRequest r, Completion done) {
  const int64_t queue = r.queue;
  const int64_t now = now_ms();
  Waiter w;
  w.id = ++next_waiter_;
  w.deadline_ms = now + r.wait_s * 1000;
  w.request = std::move(r);
  w.done = std::move(done);
  const uint64_t id = w.id;
  const int64_t wait_ms = w.deadline_ms - now;
  const int64_t deadline = w.deadline_ms;
  waiters_[queue].push_back(std::move(w));
  env_.scheduler->post_after(std::chrono::milliseconds(wait_ms), [this, alive = alive_, queue, id] {
    if (*alive) expire_waiter(queue, id);
  });
  // A delayed or in-flight message that becomes visible before the deadline.
  if (int64_t next = store_.next_visible(queue, now); next > 0 && next < deadline) wake_at(queue, next);
}

void SqsService::wake(int64_t queue) {
  if (waiters_.count(queue)) to_wake_.insert(queue);
}

void SqsService::wake_at(int64_t queue, int64_t at_ms) {
  auto it = waiters_.find(queue);
  if (it == waiters_.end() || !env_.scheduler) return;
  int64_t last_deadline = 0;
  for (const auto& w : it->second) last_deadline = std::max(last_deadline, w.deadline_ms);
  if (at_ms > last_deadline) return;
  int64_t delay = std::max<int64_t>(0, at_ms - now_ms());
  env_.scheduler->post_after(std::chrono::milliseconds(delay), [this, alive = alive_, queue] {
    if (!*alive) return;
    std::unique_lock lock(mu_);
    wake(queue);
    run_ready(lock);
  });
}

void SqsService::expire_waiter(int64_t queue, uint64_t id) {
  std::unique_lock lock(mu_);
  auto it = waiters_.find(queue);
  if (it == waiters_.end()) return;
  auto& list = it->second;
  for (auto w = list.begin(); w != list.end(); ++w) {
    if (w->id != id) continue;
    Completion done = std::move(w->done);
    ReceiveRequest request = std::move(w->request);
    list.erase(w);
    if (list.empty()) waiters_.erase(it);
    json out = json::object();
    if (auto q = by_id_.find(queue); q != by_id_.end()) {
      try {
        out = take_messages(*q->second, request);  // one last look at the deadline
      } catch (const storage::SqliteError& e) {
        spdlog::error("sqs long poll: {}", e.what());
      }
    }
    ready_.emplace_back(std::move(done), Result::ok(std::move(out)));
    break;
  }
  run_ready(lock);
}

void SqsService::drop_waiters(int64_t queue) {
  auto it = waiters_.find(queue);
  if (it == waiters_.end()) return;
  for (auto& w : it->second) ready_.emplace_back(std::move(w.done), Result::ok());
  waiters_.erase(it);
}

void SqsService::serve_waiters() {
  while (!to_wake_.empty()) {
    int64_t queue = *to_wake_.begin();
    to_wake_.erase(to_wake_.begin());
    auto wit = waiters_.find(queue);
    auto qit = by_id_.find(queue);
    if (wit == waiters_.end() || qit == by_id_.end()) continue;
    auto& list = wit->second;
    while (!list.empty()) {
      json out;
      try {
        out = take_messages(*qit->second, list.front().request);
      } catch (const storage::SqliteError& e) {
        spdlog::error("sqs long poll: {}", e.what());
        break;
      }
      if (out.empty()) break;
      ready_.emplace_back(std::move(list.front().done), Result::ok(std::move(out)));
      list.erase(list.begin());
    }
    if (list.empty()) waiters_.erase(queue);
  }
}

}  // namespace awan::sqs
