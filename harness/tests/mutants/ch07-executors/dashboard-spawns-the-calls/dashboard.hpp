// Mutant: spawns each call as a task and awaits the JoinHandles. It is concurrent on a
// wb::Runtime, but wb::spawn needs one: the logic no longer runs on any executor.
#pragma once

#include <services.hpp>
#include <string>
#include <utility>
#include <vector>
#include <wb/task/spawn.hpp>
#include <wb/task/task.hpp>
#include <wb/time/sleep.hpp>

template <class T>
wb::Task<T> simulated_call(T answer, wb::Duration latency) {
  co_await wb::sleep(latency);
  co_return answer;
}

inline wb::Task<Dashboard> load_dashboard(int user_id, Latencies latencies) {
  auto name = wb::spawn(simulated_call(profile_name(user_id), latencies.profile));
  auto unread = wb::spawn(simulated_call(unread_count(user_id), latencies.inbox));
  auto orders = wb::spawn(simulated_call(recent_orders(user_id), latencies.shop));
  co_return Dashboard{co_await name, co_await unread, co_await orders};
}
