// The three services the dashboard asks — who the user is, how many messages wait for them, what
// they ordered last — as plain data, plus the Dashboard that combines their answers. (Given, not
// an exercise: the exercise puts a simulated network around these.)
#pragma once

#include <string>
#include <vector>
#include <wb/time/clock.hpp>

// ANCHOR: dashboard
/// What the user sees: one answer from each service.
struct Dashboard {
  std::string name;                 // from the profile service
  int unread = 0;                   // from the inbox
  std::vector<std::string> orders;  // from the shop

  friend bool operator==(Dashboard const&, Dashboard const&) = default;
};

/// How long each service takes to answer.
struct Latencies {
  wb::Duration profile;
  wb::Duration inbox;
  wb::Duration shop;
};
// ANCHOR_END: dashboard

inline std::string profile_name(int user_id) {
  switch (user_id) {
    case 1:
      return "Ada";
    case 2:
      return "Grace";
    default:
      return "user " + std::to_string(user_id);
  }
}

inline int unread_count(int user_id) { return user_id * 3 % 7; }

inline std::vector<std::string> recent_orders(int user_id) {
  if (user_id == 1) return {"difference engine", "punched cards"};
  if (user_id == 2) return {"compiler manual"};
  return {};
}
