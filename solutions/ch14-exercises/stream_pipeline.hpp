// Reference solution: squares_of_evens — one chain of adaptors. The filter comes before the
// square (no square is made for an odd number), and the processing step is mapped into a stream
// of futures that buffer_unordered runs ten at a time, pulling the next one only when a running
// one finishes.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>
#include <wb/core/contract.hpp>
#include <wb/core/future.hpp>
#include <wb/stream/buffer_unordered.hpp>
#include <wb/stream/collect.hpp>
#include <wb/stream/filter.hpp>
#include <wb/stream/iter.hpp>
#include <wb/stream/map.hpp>
#include <wb/stream/stream.hpp>
#include <wb/task/task.hpp>

// ANCHOR: pipeline_constants
constexpr std::uint64_t last_number = 100;  // the numbers are 1 to last_number, both included
constexpr std::size_t most_in_flight = 10;  // processing steps running at once, at most
// ANCHOR_END: pipeline_constants

// ANCHOR: processor_concept
/// The processing step: called with a square, returns the future of its result (a
/// wb::Task<std::uint64_t>). The tests give one that takes 50 ms and answers the square itself.
template <class P>
concept Processor = std::copy_constructible<P> && std::invocable<P&, std::uint64_t> &&
    wb::Future<std::invoke_result_t<P&, std::uint64_t>> &&
    std::same_as<wb::output_of<std::invoke_result_t<P&, std::uint64_t>>, std::uint64_t>;
// ANCHOR_END: processor_concept

// ANCHOR: squares_of_evens
template <Processor P>
wb::Task<std::vector<std::uint64_t>> squares_of_evens(P process) {
  std::vector<std::uint64_t> numbers(last_number);
  std::iota(numbers.begin(), numbers.end(), std::uint64_t{1});  // 1, 2, ..., last_number
  auto pipeline = wb::iter(std::move(numbers)) |
                  wb::filter([](std::uint64_t n) { return n % 2 == 0; }) |
                  wb::map([](std::uint64_t n) { return n * n; }) |
                  wb::map(std::move(process)) |           // a stream of futures, not yet run
                  wb::buffer_unordered(most_in_flight) |  // ... run ten at a time
                  wb::collect();
  co_return co_await std::move(pipeline);  // named first: GCC 12 and temporaries in a co_await
}
// ANCHOR_END: squares_of_evens
