// Reference solution: the dashboard — three simulated calls awaited together with wb::join, so
// they wait at the same time, on whatever clock the executor that runs them keeps.
#pragma once

#include <services.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/combinator/join.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

// ANCHOR: simulated_call
template <class T>
wb::Task<T> simulated_call(T answer, wb::Duration latency) {
  co_await wb::sleep(latency);  // Pending until the executor's timer driver fires: no blocking
  co_return answer;
}
// ANCHOR_END: simulated_call

// ANCHOR: load_dashboard
inline wb::Task<Dashboard> load_dashboard(int user_id, Latencies latencies) {
  // All three are made first and awaited together: join polls each at its first poll, so the
  // three waits overlap and the dashboard takes as long as the slowest service.
  auto [name, unread, orders] =
      co_await wb::join(simulated_call(profile_name(user_id), latencies.profile),
                        simulated_call(unread_count(user_id), latencies.inbox),
                        simulated_call(recent_orders(user_id), latencies.shop));
  co_return Dashboard{std::move(name), unread, std::move(orders)};
}
// ANCHOR_END: load_dashboard
