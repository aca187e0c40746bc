// Exercise: squares_of_evens — a stream pipeline: the numbers 1 to 100, the even ones kept,
// each squared, each square processed by an asynchronous step with at most 10 in flight at
// once, and the outputs collected. Every stage is a stream adaptor from chapter 11.
// Read book/src/ch14-exercises.md (exercise 5), then replace the WB_TODO.
// Check your work with:  scripts/workbook check ch14
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

// ANCHOR: squares_of_evens_stub
/// Takes the numbers 1 to last_number, keeps the even ones, squares them, runs process(square)
/// for each with at most most_in_flight of them in flight at once, and collects what they give,
/// in the order they finish. Call it inside a runtime.
template <Processor P>
wb::Task<std::vector<std::uint64_t>> squares_of_evens(P process) {
  (void)process;
  WB_TODO(
      "a std::vector<std::uint64_t> of 1 to last_number (std::iota), then wb::iter(numbers) | "
      "wb::filter(even) | wb::map(square) | wb::map(process) | "
      "wb::buffer_unordered(most_in_flight) | wb::collect(); name the pipeline, then co_await it");
}
// ANCHOR_END: squares_of_evens_stub
