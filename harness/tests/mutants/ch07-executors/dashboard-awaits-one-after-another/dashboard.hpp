// Mutant: awaits each call before making the next, so the three waits come one after the other
// and the dashboard takes the sum of the latencies instead of the longest.
#pragma once

#include <services.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

template <class T>
wb::Task<T> simulated_call(T answer, wb::Duration latency) {
  co_await wb::sleep(latency);
  co_return answer;
}

inline wb::Task<Dashboard> load_dashboard(int user_id, Latencies latencies) {
  std::string name = co_await simulated_call(profile_name(user_id), latencies.profile);
  int unread = co_await simulated_call(unread_count(user_id), latencies.inbox);
  std::vector<std::string> orders = co_await simulated_call(recent_orders(user_id), latencies.shop);
  co_return Dashboard{std::move(name), unread, std::move(orders)};
}
