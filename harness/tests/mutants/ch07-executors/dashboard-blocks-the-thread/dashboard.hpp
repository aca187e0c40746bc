// Mutant: simulates the latency with std::this_thread::sleep_for, which blocks the executor's
// thread for the whole wait and is invisible to the executor's clock.
#pragma once

#include <services.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <wb/combinator/join.hpp>
#include <wb/task/task.hpp>

template <class T>
wb::Task<T> simulated_call(T answer, wb::Duration latency) {
  std::this_thread::sleep_for(latency);
  co_return answer;
}

inline wb::Task<Dashboard> load_dashboard(int user_id, Latencies latencies) {
  auto [name, unread, orders] =
      co_await wb::join(simulated_call(profile_name(user_id), latencies.profile),
                        simulated_call(unread_count(user_id), latencies.inbox),
                        simulated_call(recent_orders(user_id), latencies.shop));
  co_return Dashboard{std::move(name), unread, std::move(orders)};
}
